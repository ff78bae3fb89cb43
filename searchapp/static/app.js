// Keyboard: "/" focuses the search box; ArrowDown/ArrowUp move through results; Enter opens.
// History: typing adds one history entry (its first response is pushed, the rest replace it);
// submit, facet and page links push; pushing the URL already shown replaces instead.
(function () {
  "use strict";
  function box() { return document.getElementById("q"); }
  function typingPushes(push) {
    var q = box();
    if (!q) { return; }
    if (push) { q.setAttribute("hx-push-url", "true"); q.removeAttribute("hx-replace-url"); }
    else { q.removeAttribute("hx-push-url"); q.setAttribute("hx-replace-url", "true"); }
  }
  typingPushes(true);
  document.addEventListener("htmx:beforeHistoryUpdate", function (ev) {
    var h = ev.detail.history;
    if (h.type === "push" && h.path === location.pathname + location.search) { h.type = "replace"; }
    typingPushes(ev.detail.elt !== box());
  });
  // A keystroke's results come without facets: they load into .facets-pending 250 ms later
  // (templates/_results.html). Until then the previous column stays, dimmed and inert, so it
  // neither blinks nor offers links of the previous query.
  var shownFacets = null;
  document.addEventListener("htmx:beforeSwap", function () {
    shownFacets = document.querySelector("#results .facets");
  });
  document.addEventListener("htmx:afterSwap", function () {
    var pending = document.querySelector("#results .facets-pending");
    if (pending && shownFacets && shownFacets !== pending && !pending.firstElementChild) {
      while (shownFacets.firstChild) { pending.appendChild(shownFacets.firstChild); }
      pending.setAttribute("inert", "");
    }
    shownFacets = null;
  });
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
// A search the server refused (429 too many requests, 503 unavailable, 500) left the previous
// query's results on screen without a word: htmx swaps no error response. Show the error
// page's own title and text (localised by the server) in their place.
(function () {
  "use strict";
  document.addEventListener("htmx:responseError", function (ev) {
    var target = ev.detail.target;
    var xhr = ev.detail.xhr;
    if (!target || target.id !== "results" || !xhr) { return; }
    var page = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    var title = page.querySelector(".error-page h1");
    var text = page.querySelector(".error-page h1 + p");
    var box = document.createElement("div");
    box.className = "empty request-error";
    box.setAttribute("role", "alert");
    box.setAttribute("data-status", String(xhr.status));
    var head = document.createElement("p");
    head.className = "empty-title";
    head.textContent = title ? title.textContent : "HTTP " + xhr.status;
    box.appendChild(head);
    if (text) {
      var more = document.createElement("p");
      more.textContent = text.textContent;
      box.appendChild(more);
    }
    target.replaceChildren(box);
  });
})();
// A document page's "Back to results" goes back to the very results it was opened from (their
// filters, order and page: the referrer's URL, same origin only), not just to its words.
(function () {
  "use strict";
  var back = document.querySelector(".doc .back a");
  if (!back || !document.referrer) { return; }
  try {
    var from = new URL(document.referrer);
    var to = new URL(back.href);
    if (from.origin === location.origin && from.pathname === to.pathname) {
      back.href = from.pathname + from.search;
    }
  } catch (e) { /* no URL support: the link keeps the query's words */ }
})();
// Search analytics (web/analytics.py), only when the server logs queries (body[data-analytics]):
// a search made in the page is reported once its results have settled for 1.5 s (or when a
// result is opened, or the page is left), a result click with its query. navigator.sendBeacon
// to this server only; no address, user agent or cookie is recorded.
(function () {
  "use strict";
  if (!document.body || document.body.getAttribute("data-analytics") !== "on" || !navigator.sendBeacon) { return; }
  function shownQuery() {
    var el = document.querySelector("#results [data-query]");
    return el ? el.getAttribute("data-query").trim() : "";
  }
  var reported = {};
  var pending = "";
  var timer = null;
  var first = shownQuery();
  if (first) { reported[first] = true; }  // a full page load: the server recorded it
  function send(path, q) {
    var body = new URLSearchParams();
    body.set("q", q);
    navigator.sendBeacon(path, body);
  }
  function flush() {
    if (timer) { clearTimeout(timer); timer = null; }
    if (pending && !reported[pending]) { reported[pending] = true; send("/analytics/search", pending); }
    pending = "";
  }
  document.addEventListener("htmx:afterSwap", function () {
    var q = shownQuery();
    if (!q || reported[q]) { return; }
    pending = q;
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(flush, 1500);
  });
  document.addEventListener("click", function (ev) {
    var link = ev.target && ev.target.closest ? ev.target.closest("#results a.hit-link") : null;
    if (!link) { return; }
    var q = shownQuery();
    if (q) { pending = pending || q; flush(); send("/analytics/click", q); }
  }, true);
  window.addEventListener("pagehide", flush);
  document.addEventListener("visibilitychange", function () { if (document.visibilityState === "hidden") { flush(); } });
})();
