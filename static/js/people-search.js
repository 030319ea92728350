// Fields that choose a person: the select offers the people most likely chosen (a group's
// members); this turns it into GOV.UK's accessible autocomplete, which finds those and anyone
// else with an account, from the address in the select's data-people-search. The select stays
// in the page, hidden, and is what the form sends. Without JavaScript it works as it is.
(function () {
  "use strict";
  if (!window.accessibleAutocomplete || !window.fetch) {
    return;
  }

  function enhance(select) {
    var address = select.getAttribute("data-people-search");
    var found = {}; // label -> value, of people the search has offered

    function offered(query) {
      var words = query.toLowerCase().split(/\s+/).filter(Boolean);
      return Array.prototype.filter
        .call(select.options, function (option) {
          var text = option.textContent.toLowerCase();
          return option.value && words.every(function (word) { return text.indexOf(word) !== -1; });
        })
        .map(function (option) { return option.textContent; });
    }

    function source(query, populate) {
      var local = offered(query);
      fetch(address + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (data) {
          var labels = local.slice();
          data.results.forEach(function (person) {
            found[person.label] = person.value;
            if (labels.indexOf(person.label) === -1) {
              labels.push(person.label);
            }
          });
          populate(labels.slice(0, 20));
        })
        .catch(function () { populate(local); });
    }

    function confirm(label) {
      if (label === undefined) {
        var input = document.getElementById(select.id.replace(/-select$/, ""));
        if (input && !input.value.trim()) {
          select.value = "";
        }
        return;
      }
      var option = Array.prototype.find.call(select.options, function (o) {
        return o.textContent === label;
      });
      if (!option && found[label]) {
        option = new Option(label, found[label]);
        select.add(option);
      }
      if (option) {
        option.selected = true;
      }
    }

    window.accessibleAutocomplete.enhanceSelectElement({
      selectElement: select,
      source: source,
      onConfirm: confirm,
      minLength: 2,
      // No ghost text: its extra input has no label, and screen readers announce the list.
      autoselect: false,
      defaultValue: "",
      showNoOptionsFound: true,
      tNoResults: function () { return "Nobody found with an account"; },
    });
  }

  document.querySelectorAll("select[data-people-search]").forEach(enhance);
})();
