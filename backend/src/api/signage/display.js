// The stop display's refresh (`/display/{stop}`), inlined in the page. A few lines of plain
// ES5 (no framework, no WebAssembly), for the oldest browsers signs run. What it does:
// - every 15-20 s, fetches the page itself (XMLHttpRequest, revalidated with its ETag: mostly a
//   304) and swaps in its title, status, board and alerts; a failure (no answer in 10 s,
//   connection refused, any status but 200, not a board) keeps the last board on screen with
//   "Connection lost at 07:41 - retrying" and retries after 2, 4, 8, 16, 30 s (at most, with
//   jitter), for as long as it takes;
// - keeps the clock on the server's time (`/api/v1/time` every 10 min) and counts every
//   line's minutes down between fetches; lines that have left are dropped;
// - shows as many rows as fit, rotates the alerts band, and after 90 s without news marks
//   every predicted line as old (`body.old`);
// - reloads the page when the server serves another version of it, right after a fetch
//   proved the server is up (so a reload never lands on the browser's error page).
(function () {
  var body = document.body;
  var data = body.dataset;
  var skew = data.now * 1000 - Date.now();
  var fails = 0;
  var since = 0;
  var shown = 0;
  var timer = 0;

  function byId(id) {
    return document.getElementById(id);
  }
  function now() {
    return Date.now() + skew;
  }
  function two(n) {
    return (n < 10 ? "0" : "") + n;
  }
  // HH:MM on the agency's clock: the offset comes with the page.
  function clock(ms) {
    var t = new Date(ms + data.offset * 1000);
    return two(t.getUTCHours()) + ":" + two(t.getUTCMinutes());
  }

  function fit() {
    var board = byId("board");
    var rows = board.querySelectorAll("tbody tr");
    var i;
    for (i = 0; i < rows.length; i++) rows[i].classList.remove("cut");
    var bottom = board.getBoundingClientRect().bottom;
    for (i = 0; i < rows.length; i++) {
      if (rows[i].getBoundingClientRect().bottom > bottom + 1) rows[i].classList.add("cut");
    }
  }

  function tick() {
    var n = now();
    var rows = document.querySelectorAll("tr[data-at]");
    var left = false;
    byId("clock").textContent = clock(n);
    for (var i = 0; i < rows.length; i++) {
      var m = Math.floor((rows[i].getAttribute("data-at") * 1000 - n) / 60000);
      var el = rows[i].querySelector(".minutes");
      if (el) el.textContent = m <= 0 ? data.due : m + data.min;
      if (m < -1 && !rows[i].classList.contains("past")) {
        rows[i].classList.add("past");
        left = true;
      }
    }
    body.classList.toggle("old", fails > 0 && n - since > 90000);
    if (left) fit();
  }

  function rotate() {
    var items = document.querySelectorAll("#alerts li");
    if (!items.length) return;
    shown = (shown + 1) % items.length;
    for (var i = 0; i < items.length; i++) items[i].classList.toggle("on", i === shown);
    var count = document.querySelector("#alerts .count");
    if (count) count.textContent = shown + 1 + "/" + items.length;
  }

  function get(url, type, done, fail) {
    var x = new XMLHttpRequest();
    x.open("GET", url);
    x.timeout = 10000;
    x.responseType = type;
    x.setRequestHeader("Cache-Control", "no-cache");
    x.onload = function () {
      if (x.status === 200 && x.response) done(x.response);
      else fail();
    };
    x.onerror = x.ontimeout = x.onabort = fail;
    x.send();
  }

  function sync() {
    var sent = Date.now();
    get("/api/v1/time", "json", function (t) {
      if (t.unix_ms > 0) skew = t.unix_ms - (sent + Date.now()) / 2;
    }, function () {});
  }

  function later(ms) {
    clearTimeout(timer);
    timer = setTimeout(refresh, ms);
  }

  function refresh() {
    get(location.href, "document", function (doc) {
      if (!doc.getElementById("board") || !doc.body) return failed();
      if (doc.body.getAttribute("data-version") !== data.version) return location.reload();
      ["title", "status", "board", "alerts"].forEach(function (id) {
        var fresh = doc.getElementById(id);
        var old = byId(id);
        if (fresh && old) old.parentNode.replaceChild(document.importNode(fresh, true), old);
      });
      fails = 0;
      byId("lost").hidden = true;
      shown = -1;
      rotate();
      fit();
      tick();
      later(15000 + Math.random() * 5000);
    }, failed);
  }

  function failed() {
    if (!fails) since = now();
    fails++;
    var lost = byId("lost");
    lost.textContent = data.lost.replace("{t}", clock(since));
    lost.hidden = false;
    fit();
    tick();
    later(Math.min(30000, 2000 * Math.pow(2, fails - 1)) * (0.5 + Math.random() / 2));
  }

  fit();
  tick();
  sync();
  setInterval(tick, 1000);
  setInterval(sync, 600000);
  setInterval(rotate, 8000);
  window.addEventListener("resize", fit);
  later(15000 + Math.random() * 5000);
})();
