// Names for the admin's unlabelled controls, so a screen reader says what each one is:
//  - cells of tabular inlines and of editable changelists: their column's heading;
//  - the parts of a split date/time field: the field's label;
//  - select2 (autocomplete) boxes: their field's label, then the chosen value;
//  - the filter boxes' search icons (a span with aria-label): role="img".
// The admin needs JavaScript anyway; rows added later ("Add another") are named too.
(function () {
  "use strict";

  function columnHeading(control) {
    var cell = control.closest("td");
    var table = cell && cell.closest("table");
    var head = table && table.tHead && table.tHead.rows[0];
    if (!head) return "";
    var heading = head.cells[cell.cellIndex];
    return heading ? heading.textContent.trim() : "";
  }

  function rowLabel(control) {
    var row = control.closest(".form-row, .fieldBox, fieldset");
    var label = row && row.querySelector("label");
    return label ? label.textContent.replace(/[:：]\s*$/, "").trim() : "";
  }

  function nameControls(root) {
    root.querySelectorAll(
      "input:not([type=hidden]):not([type=submit]):not([type=button]), select, textarea"
    ).forEach(function (control) {
      if ((control.labels && control.labels.length) ||
          control.hasAttribute("aria-label") ||
          control.hasAttribute("aria-labelledby")) {
        return;
      }
      var name = columnHeading(control) || rowLabel(control) || control.title;
      if (name) control.setAttribute("aria-label", name);
    });
    root.querySelectorAll(".select2-selection[role=combobox]").forEach(function (box) {
      var container = box.closest(".select2");
      var select = container && container.previousElementSibling;
      if (!select || !select.id) return;
      var label = document.querySelector("label[for='" + select.id + "']");
      if (!label) return;
      if (!label.id) label.id = select.id + "_label";
      var shown = box.querySelector(".select2-selection__rendered");
      var names = label.id + (shown && shown.id ? " " + shown.id : "");
      box.setAttribute("aria-labelledby", names);
      // The value's own box (role=textbox) is named too: the label, then the value.
      if (shown && shown.id) shown.setAttribute("aria-labelledby", names);
    });
    root.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  }

  function start() {
    nameControls(document);
    new MutationObserver(function (changes) {
      changes.forEach(function (change) {
        change.addedNodes.forEach(function (node) {
          if (node.nodeType === 1) nameControls(node.parentNode || node);
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
