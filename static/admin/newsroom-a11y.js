/* Names for the parts of Django admin's autocomplete widgets (select2) that it leaves unnamed (WCAG 4.1.2):
   the box shows only the chosen value, the search box of a multiple choice has no label, and the "clear all"
   button sits inside a list. Loaded on every admin page by admin/base_site.html; does nothing elsewhere. */
(function () {
  "use strict";

  function fieldName(select) {
    var label = select.id && document.querySelector('label[for="' + CSS.escape(select.id) + '"]');
    if (label) return label.textContent.replace(/[:*\s]+$/, "").trim();
    return select.getAttribute("aria-label") || "";
  }

  function chosenText(select) {
    return Array.prototype.filter.call(select.options, function (option) { return option.selected && option.value; })
      .map(function (option) { return option.textContent.trim(); }).join(", ");
  }

  function nameAutocomplete(select) {
    var container = select.nextElementSibling;
    if (!container || !container.classList.contains("select2")) return;
    var name = fieldName(select);
    if (!name) return;
    var single = container.querySelector(".select2-selection--single");
    if (single) {
      var chosen = chosenText(select);
      single.removeAttribute("aria-labelledby");
      single.setAttribute("aria-label", chosen ? name + ": " + chosen : name);
      var rendered = single.querySelector(".select2-selection__rendered");
      if (rendered) rendered.setAttribute("aria-label", name);
    }
    var search = container.querySelector(".select2-search__field");
    if (search) search.setAttribute("aria-label", name);
    var list = container.querySelector("ul.select2-selection__rendered");
    var clear = list && list.querySelector(":scope > .select2-selection__clear");
    if (clear) {
      // A list holds only list items: the button moves just after the list, inside the same box.
      list.parentNode.querySelectorAll(":scope > .select2-selection__clear").forEach(function (old) { old.remove(); });
      list.parentNode.insertBefore(clear, list.nextSibling);
    }
  }

  function nameOpenDropdown() {
    var open = document.querySelector(".select2-container--open .select2-selection");
    var search = document.querySelector(".select2-dropdown .select2-search__field");
    if (open && search && open.getAttribute("aria-label")) search.setAttribute("aria-label", open.getAttribute("aria-label"));
  }

  var scheduled = false;
  function fixAll() {
    scheduled = false;
    document.querySelectorAll("select.admin-autocomplete").forEach(nameAutocomplete);
    nameOpenDropdown();
  }
  function schedule() {
    if (!scheduled) {
      scheduled = true;
      window.requestAnimationFrame(fixAll);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!document.querySelector("select.admin-autocomplete")) return;
    fixAll();
    new MutationObserver(schedule).observe(document.body, { childList: true, subtree: true });
  });
})();
