// Haven's only script. Every page works without it; it adds the instant
// quick exit (click, or Shift pressed three times), keeps Haven to a single
// entry in the tab's history, warns before the session ends, and prints.
(function () {
  "use strict";
  var EXIT = "/exit";

  // quickExit blanks the page at once, clears what the page can clear,
  // and replaces this history entry with /exit, which clears site data,
  // ends the session and redirects to a neutral site.
  function quickExit(e) {
    if (e) e.preventDefault();
    document.documentElement.classList.add("exiting");
    document.title = "";
    if (document.body) document.body.replaceChildren();
    try { localStorage.clear(); sessionStorage.clear(); } catch (_) {}
    location.replace(EXIT);
  }

  var shifts = [];
  function onKey(e) {
    if (e.key !== "Shift" || e.repeat) return;
    var now = Date.now();
    shifts = shifts.filter(function (t) { return now - t < 1500; });
    shifts.push(now);
    if (shifts.length >= 3) quickExit();
  }

  // sameOrigin reports whether url stays on Haven.
  function sameOrigin(url) {
    try { return new URL(url, location.href).origin === location.origin; } catch (_) { return false; }
  }

  // Links and forms replace the current history entry instead of adding
  // one, so that after quick exit Back leaves Haven altogether.
  function onClick(e) {
    var a = e.target.closest && e.target.closest("a[href]");
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    if (a.id === "quick-exit") return quickExit(e);
    if (a.target || a.hasAttribute("download") || !sameOrigin(a.href) || a.getAttribute("href").charAt(0) === "#") return;
    e.preventDefault();
    location.replace(a.href);
  }

  // A form's action and method are read as attributes: a field named
  // "action" or "method" (a consent's method, a preview button) would
  // shadow the properties of the same names.
  function onSubmit(e) {
    var f = e.target;
    var action = new URL(f.getAttribute("action") || location.href, location.href).href;
    var method = (f.getAttribute("method") || "get").toLowerCase();
    if (e.defaultPrevented || !sameOrigin(action)) return;
    if (f.id === "session-stay") return staySignedIn(e);
    e.preventDefault();
    var data = new URLSearchParams(new FormData(f, e.submitter));
    if (method === "get") {
      var u = new URL(action);
      u.search = data.toString();
      return location.replace(u.href);
    }
    fetch(action, { method: "POST", body: data, credentials: "same-origin" }).then(function (res) {
      if (res.redirected) return location.replace(res.url);
      return res.text().then(function (html) { document.open(); document.write(html); document.close(); });
    }).catch(function () { f.submit(); });
  }

  // The session warning appears two minutes before the server says the
  // session ends if unused; at the end the page leaves the screen.
  var warnTimer, endTimer;
  function sessionTimers(left, final) {
    var warn = document.getElementById("session-warning");
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    if (!warn) return;
    warn.hidden = true;
    document.getElementById("session-idle").hidden = final;
    document.getElementById("session-final").hidden = !final;
    warnTimer = setTimeout(function () { warn.hidden = false; }, Math.max(0, left - 120) * 1000);
    endTimer = setTimeout(function () { location.replace("/signin"); }, Math.max(0, left) * 1000);
  }

  function sessionWarning() {
    var left = parseInt(document.body.getAttribute("data-session-seconds"), 10);
    if (isNaN(left)) return;
    sessionTimers(left, !document.getElementById("session-final").hidden);
  }

  // staySignedIn extends the session without leaving the page, so the
  // form being filled stays as it is: a same-origin POST that the server
  // answers 204 with the seconds now left (never past the 12-hour limit).
  // Should it fail, the warning stays up and the page ends as announced.
  function staySignedIn(e) {
    e.preventDefault();
    fetch(new URL(e.target.getAttribute("action"), location.href).href, { method: "POST", credentials: "same-origin" }).then(function (res) {
      var left = parseInt(res.headers.get("Haven-Session-Seconds"), 10);
      if (res.status !== 204 || isNaN(left)) return;
      document.body.setAttribute("data-session-seconds", String(left));
      sessionTimers(left, res.headers.get("Haven-Session-Final") === "1");
    }).catch(function () {});
  }

  function printButtons() {
    document.querySelectorAll("button.print").forEach(function (b) {
      b.hidden = false;
      b.addEventListener("click", function () { window.print(); });
    });
  }

  document.addEventListener("keydown", onKey, true);
  document.addEventListener("click", onClick);
  document.addEventListener("submit", onSubmit);
  document.addEventListener("DOMContentLoaded", function () { sessionWarning(); printButtons(); });
})();
