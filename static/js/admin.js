// Repairs to the Django admin's own widgets for WCAG 2.2 AA, loaded by
// templates/admin/base_site.html. The widgets are built by the admin's scripts after the page
// loads (autocomplete boxes when the document is ready, the two-list choosers on load, more when
// an inline row is added), so each is repaired as it appears.
//
// - An autocomplete box (select2) is a combobox named only by the choice it shows, and nothing
//   when empty: it is named by its field's label as well (axe's aria-input-field-name).
// - The two-list chooser's search icons carry an aria-label, which a plain <span> may not have
//   (aria-prohibited-attr): they are images, so say so.
"use strict";

(() => {
  const labelId = (field) => {
    const label = field.id && document.querySelector(`label[for="${CSS.escape(field.id)}"]`);
    if (!label) {
      return null;
    }
    label.id ||= `${field.id}-label`;
    return label.id;
  };

  const nameAutocomplete = (container) => {
    const select = container.previousElementSibling;
    if (!select || select.tagName !== "SELECT") {
      return;
    }
    const label = labelId(select);
    if (!label) {
      return;
    }
    container.querySelectorAll('[role="combobox"], [role="textbox"], [role="searchbox"]').forEach(
      (box) => {
        const shown = box.getAttribute("aria-labelledby");
        const ids = (shown || "").split(" ").filter((id) => id && id !== label && id !== box.id);
        box.setAttribute("aria-labelledby", [label, ...ids].join(" "));
      },
    );
  };

  const repair = (root) => {
    root.querySelectorAll(".select2-container").forEach(nameAutocomplete);
    root.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach((icon) => {
      icon.setAttribute("role", "img");
    });
  };

  new MutationObserver((changes) => {
    for (const change of changes) {
      for (const node of change.addedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE) {
          repair(node.parentElement || node);
        }
      }
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
  repair(document);
})();
