// Keyboard: "/" focuses the search box; ArrowDown/ArrowUp move through results; Enter opens.
(function () {
  "use strict";
  function box() { return document.getElementById("q"); }
  function links() { return Array.prototype.slice.call(document.querySelectorAll("#results a.hit-link")); }
  function typing(el) {
    return el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }
  document.addEventListener("keydown", function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    var active = document.activeElement;
    var q = box();
    if (ev.key === "/" && q && !typing(active)) {
      ev.preventDefault();
      q.focus();
      q.select();
      return;
    }
    if (ev.key === "Escape" && active === q) { q.blur(); return; }
    if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") { return; }
    var all = links();
    var i = all.indexOf(active);
    if (active === q) {
      if (ev.key !== "ArrowDown" || !all.length) { return; }
      ev.preventDefault();
      all[0].focus();
    } else if (i >= 0) {
      ev.preventDefault();
      if (ev.key === "ArrowDown") { all[Math.min(i + 1, all.length - 1)].focus(); }
      else if (i === 0 && q) { q.focus(); }
      else { all[i - 1].focus(); }
    }
  });
})();
