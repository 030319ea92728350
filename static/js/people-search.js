// Fields that choose a person: the select offers the people most likely chosen (a group's
// members); this turns it into GOV.UK's accessible autocomplete, which finds those and anyone
// else with an account, from the address in the select's data-people-search. The select stays
// in the page, hidden, and is what the form sends. Without JavaScript it works as it is.
//
// Suggestions are people ({label, value}), not labels: two people of the same name and agency
// are two suggestions, each choosing its own person (the person already chosen when the page
// opens comes as their label alone). The search waits for a pause in typing, and an answer to an
// older query is never shown over a newer one, nor after a choice.
(function () {
  "use strict";
  if (!window.accessibleAutocomplete || !window.fetch) {
    return;
  }
  var PAUSE_MS = 250;
  var SHOWN = 20;
  var INSTRUCTION =
    "When autocomplete results are available use up and down arrows to review and enter to " +
    "select. Touch device users, explore by touch or with swipe gestures.";

  // The texts of the hint and the error message that describe the select, read to a screen
  // reader with the autocomplete's own instruction (the input cannot point at them itself).
  function description(select) {
    var ids = (select.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    var texts = ids
      .map(function (id) {
        var element = document.getElementById(id);
        return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
      })
      .filter(Boolean);
    return texts.concat([INSTRUCTION]).join(". ");
  }

  function escaped(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // A suggestion's text: a person, or the label of the one chosen when the page opened.
  function label(person) {
    if (typeof person === "string") {
      return person;
    }
    return person ? person.label : "";
  }

  function enhance(select) {
    var address = select.getAttribute("data-people-search");
    var inputId = select.id;
    var timer = null;
    var latest = 0;

    function typed() {
      var input = document.getElementById(inputId);
      return input ? input.value : "";
    }

    function offered(query) {
      var words = query.toLowerCase().split(/\s+/).filter(Boolean);
      return Array.prototype.filter
        .call(select.options, function (option) {
          var text = option.textContent.toLowerCase();
          return option.value && words.every(function (word) { return text.indexOf(word) !== -1; });
        })
        .map(function (option) { return { label: option.textContent, value: option.value }; });
    }

    function merged(local, found) {
      var seen = {};
      return local.concat(found).filter(function (person) {
        if (seen[person.value]) {
          return false;
        }
        seen[person.value] = true;
        return true;
      }).slice(0, SHOWN);
    }

    function source(query, populate) {
      var local = offered(query);
      var asked = ++latest;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        fetch(address + "?q=" + encodeURIComponent(query), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) {
            if (asked === latest && typed() === query) {
              populate(merged(local, data.results || []));
            }
          })
          .catch(function () {
            if (asked === latest && typed() === query) {
              populate(local);
            }
          });
      }, PAUSE_MS);
    }

    function confirm(person) {
      // A choice ends the search: an answer still to come is not shown.
      window.clearTimeout(timer);
      latest++;
      if (person === undefined) {
        if (!typed().trim()) {
          select.value = "";
        }
        return;
      }
      var option = Array.prototype.find.call(select.options, function (o) {
        return typeof person === "string"
          ? o.value && o.textContent === person
          : o.value === String(person.value);
      });
      if (!option && typeof person !== "string") {
        option = new Option(person.label, person.value);
        select.add(option);
      }
      if (option) {
        option.selected = true;
      }
    }

    var hasError = select.classList.contains("govuk-select--error");
    var described = description(select);
    window.accessibleAutocomplete.enhanceSelectElement({
      selectElement: select,
      source: source,
      onConfirm: confirm,
      // A suggestion is written into the page as HTML: its text is escaped.
      templates: {
        inputValue: label,
        suggestion: function (person) { return escaped(label(person)); },
      },
      minLength: 2,
      // No ghost text: its extra input has no label, and screen readers announce the list.
      autoselect: false,
      defaultValue: "",
      showNoOptionsFound: true,
      inputClasses: hasError ? "app-autocomplete__input--error" : null,
      tNoResults: function () { return "Nobody found with an account"; },
      tAssistiveHint: function () { return described; },
    });
  }

  document.querySelectorAll("select[data-people-search]").forEach(enhance);
})();
