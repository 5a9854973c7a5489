// Wardwatch web page: keyboard shortcuts only. Everything works without it.
//   /  focus the search (or first filter) field
//   g i, g f, g z, g v, g c  go to the inventory, flows, zones, violations, changes
"use strict";
(function () {
  var pending = "";
  function typing(el) {
    return el && (el.tagName === "INPUT" || el.tagName === "SELECT" || el.tagName === "TEXTAREA" || el.isContentEditable);
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(document.activeElement)) {
      return;
    }
    if (e.key === "/") {
      var f = document.getElementById("search") || document.querySelector("form.filters input, form.filters select");
      if (f) {
        e.preventDefault();
        f.focus();
        if (f.select) { f.select(); }
      }
      return;
    }
    if (pending === "g") {
      pending = "";
      var to = { i: "/ui/", f: "/ui/flows", z: "/ui/zones", v: "/ui/violations", c: "/ui/events" }[e.key];
      if (to) {
        e.preventDefault();
        window.location.assign(to);
      }
      return;
    }
    if (e.key === "g") {
      pending = "g";
      window.setTimeout(function () { pending = ""; }, 1500);
    }
  });
})();
