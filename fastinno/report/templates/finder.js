(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("finder-data").textContent);
  var cols = data.columns, rows = data.rows, limit = data.limit;
  var input = document.getElementById("finder-q");
  var count = document.getElementById("finder-count");
  var table = document.getElementById("finder-table");
  var sortKey = 1, sortDesc = false;
  function fmt(v, kind) {
    if (v === null || v === undefined) { return "\u2013"; }
    if (kind === "pct") { return (100 * v).toFixed(2) + "\u00a0%"; }
    if (kind === "int") { return Math.round(v).toLocaleString("en"); }
    if (kind === "num") { return Math.abs(v) >= 100 ? v.toFixed(1) : v.toFixed(4); }
    return String(v);
  }
  function head() {
    var tr = document.createElement("tr");
    cols.forEach(function (c, i) {
      var th = document.createElement("th");
      th.className = c.kind === "text" ? "txt sortable" : "num sortable";
      th.textContent = c.label + (i === sortKey ? (sortDesc ? " \u25bc" : " \u25b2") : "");
      th.addEventListener("click", function () {
        if (sortKey === i) { sortDesc = !sortDesc; } else { sortKey = i; sortDesc = false; }
        render();
      });
      tr.appendChild(th);
    });
    var thead = table.tHead;
    thead.innerHTML = "";
    thead.appendChild(tr);
  }
  function compare(a, b) {
    var x = a[sortKey], y = b[sortKey];
    if (x === y) { return a[1] - b[1]; }
    if (x === null) { return 1; }
    if (y === null) { return -1; }
    var r = typeof x === "string" ? x.localeCompare(y) : x - y;
    return sortDesc ? -r : r;
  }
  function render() {
    var q = input.value.trim().toLowerCase();
    var hits = q ? rows.filter(function (r) { return String(r[0]).toLowerCase().indexOf(q) >= 0; })
                 : rows.slice(0, 10);
    hits = hits.slice().sort(compare);
    var shown = hits.slice(0, limit);
    head();
    var body = table.tBodies[0];
    body.innerHTML = "";
    shown.forEach(function (r) {
      var tr = document.createElement("tr");
      tr.setAttribute("data-region", r[0]);
      r.forEach(function (v, i) {
        var td = document.createElement("td");
        td.className = cols[i].kind === "text" ? "txt" : "num";
        td.textContent = fmt(v, cols[i].kind);
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    count.textContent = q ? (hits.length > limit ? "first " + limit + " of " : "") + hits.length +
      " of " + rows.length + " regions match" : "top 10 of " + rows.length + " regions by rank";
  }
  function fromHash() {
    var m = /[#&]q=([^&]*)/.exec(window.location.hash);
    if (m) { input.value = decodeURIComponent(m[1].replace(/\+/g, " ")); }
  }
  input.addEventListener("input", render);
  window.addEventListener("hashchange", function () { fromHash(); render(); });
  fromHash();
  render();
})();
