/* coinlake report charts: hourly candlesticks, VWAP, CoinGecko daily price and buy/sell volume,
 * drawn as inline SVG from the JSON embedded in the page. No libraries, no network.
 * After drawing, each chart gets data-candles="N" and <body> data-rendered="true". */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var HOUR = 3600 * 1000;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var W = 960, PRICE_H = 300, GAP = 18, VOL_H = 100, M = { l: 84, r: 16, t: 12, b: 26 };

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  // Exact decimal text without the trailing zeros of its scale: "57272.11000000" -> "57272.11".
  function plain(text) {
    return text === null || text === undefined ? "-" :
      String(text).indexOf(".") < 0 ? String(text) : String(text).replace(/\.?0+$/, "");
  }

  function num(text) { return text === null || text === undefined ? null : Number(text); }

  function ticks(lo, hi, count) {
    var span = hi - lo || Math.abs(hi) || 1;
    var step = Math.pow(10, Math.floor(Math.log10(span / count)));
    var err = (span / count) / step;
    step *= err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) { out.push(v); }
    return out;
  }

  function fmt(v) {
    var a = Math.abs(v);
    if (a >= 1e6) { return (v / 1e6).toFixed(2) + "M"; }
    if (a >= 1e4) { return (v / 1e3).toFixed(1) + "k"; }
    if (a >= 100) { return v.toFixed(0); }
    if (a >= 1) { return v.toFixed(2); }
    return v.toPrecision(3);
  }

  function hourLabel(ms) { return new Date(ms).toISOString().slice(0, 16).replace("T", " "); }

  function drawChart(node, series) {
    var candles = series.candles.map(function (c) {
      return {
        t: Date.parse(c.hour), o: num(c.open), h: num(c.high), l: num(c.low), c: num(c.close),
        vwap: num(c.vwap), buy: num(c.buy_volume) || 0, sell: num(c.sell_volume) || 0,
        n: c.trade_count, raw: c
      };
    });
    if (!candles.length) {
      node.textContent = "No hourly data in this range.";
      node.className += " empty";
      node.setAttribute("data-candles", "0");
      return;
    }
    var daily = series.daily.map(function (d) {
      return { t: Date.parse(d.date + "T00:00:00Z"), p: num(d.close) };
    }).filter(function (d) { return d.p !== null; });
    var t0 = candles[0].t, t1 = candles[candles.length - 1].t + HOUR;
    var plotW = W - M.l - M.r;
    var band = plotW * HOUR / (t1 - t0);
    var x = function (t) { return M.l + (t - t0) / (t1 - t0) * plotW; };
    var lo = Infinity, hi = -Infinity;
    candles.forEach(function (c) {
      lo = Math.min(lo, c.l, c.vwap === null ? c.l : c.vwap);
      hi = Math.max(hi, c.h, c.vwap === null ? c.h : c.vwap);
    });
    daily.forEach(function (d) {
      if (d.t + 24 * HOUR > t0 && d.t < t1) { lo = Math.min(lo, d.p); hi = Math.max(hi, d.p); }
    });
    var pad = (hi - lo) * 0.04 || Math.abs(hi) * 0.01 || 1;
    lo -= pad; hi += pad;
    var y = function (v) { return M.t + (hi - v) / (hi - lo) * PRICE_H; };
    var volTop = M.t + PRICE_H + GAP;
    var vmax = Math.max.apply(null, candles.map(function (c) { return c.buy + c.sell; })) || 1;
    var vy = function (v) { return volTop + VOL_H - v / vmax * VOL_H; };
    var H = volTop + VOL_H + M.b;
    var svg = el("svg", { viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-label": series.product + " hourly candles" });

    var grid = el("g", {}, svg);
    ticks(lo, hi, 6).forEach(function (v) {
      el("line", { "class": "grid", x1: M.l, x2: W - M.r, y1: y(v), y2: y(v) }, grid);
      el("text", { x: M.l - 6, y: y(v) + 4, "text-anchor": "end" }, grid).textContent = fmt(v);
    });
    var pair = series.product.split("-");
    el("text", { "class": "axis-label price-axis", x: 12, y: M.t + PRICE_H / 2,
      transform: "rotate(-90 12 " + (M.t + PRICE_H / 2) + ")", "text-anchor": "middle" }, grid)
      .textContent = "price (" + pair[1] + ")";
    [vmax / 2, vmax].forEach(function (v) {
      el("line", { "class": "grid", x1: M.l, x2: W - M.r, y1: vy(v), y2: vy(v) }, grid);
      el("text", { "class": "volume-tick", x: M.l - 6, y: vy(v) + 4, "text-anchor": "end" }, grid)
        .textContent = fmt(v);
    });
    el("text", { "class": "axis-label volume-axis", x: 12, y: volTop + VOL_H / 2,
      transform: "rotate(-90 12 " + (volTop + VOL_H / 2) + ")", "text-anchor": "middle" }, grid)
      .textContent = "volume (" + pair[0] + ")";
    el("line", { "class": "grid", x1: M.l, x2: W - M.r, y1: volTop + VOL_H, y2: volTop + VOL_H },
      grid);
    // Hour ticks: the smallest step of 1, 2, 3, 6, 12 or 24 hours (or whole days) giving at most
    // 12 labels; a tick at midnight is labelled with its day (Jan 02), the others with the hour.
    var hours = (t1 - t0) / HOUR;
    var step = [1, 2, 3, 6, 12, 24].filter(function (h) { return hours / h <= 12; })[0] ||
      24 * Math.ceil(hours / 24 / 12);
    for (var t = Math.ceil(t0 / (step * HOUR)) * step * HOUR; t <= t1; t += step * HOUR) {
      var iso = new Date(t).toISOString();
      var midnight = iso.slice(11, 16) === "00:00";
      el("line", { "class": "grid" + (midnight ? " day" : ""), x1: x(t), x2: x(t), y1: M.t,
        y2: volTop + VOL_H }, grid);
      var anchor = x(t) > W - M.r - 30 ? "end" : x(t) < M.l + 30 ? "start" : "middle";
      el("text", { "class": "hour-tick", x: x(t), y: H - 8, "text-anchor": anchor }, grid)
        .textContent = midnight ? MONTHS[new Date(t).getUTCMonth()] + " " + iso.slice(8, 10) :
          iso.slice(11, 16);
    }

    var body = Math.max(1, band * 0.7);
    var bodies = el("g", { "class": "candles" }, svg);
    candles.forEach(function (c) {
      var cls = c.c >= c.o ? "up" : "down";
      var cx = x(c.t) + band / 2;
      var g = el("g", { "class": "candle " + cls }, bodies);
      var r = c.raw;
      el("title", {}, g).textContent = hourLabel(c.t) + " UTC\nopen " + plain(r.open) +
        "  high " + plain(r.high) + "  low " + plain(r.low) + "  close " + plain(r.close) +
        "\nVWAP " + plain(r.vwap) + "  trades " + c.n + "\nvolume " + plain(r.volume) +
        " (taker buy " + plain(r.buy_volume) + ", taker sell " + plain(r.sell_volume) + ")";
      el("line", { "class": "wick " + cls, x1: cx, x2: cx, y1: y(c.h), y2: y(c.l) }, g);
      var top = y(Math.max(c.o, c.c));
      el("rect", { "class": cls, x: cx - body / 2, width: body, y: top,
        height: Math.max(1, y(Math.min(c.o, c.c)) - top) }, g);
      var by = vy(c.buy);
      el("rect", { "class": "buy", x: cx - body / 2, width: body, y: by,
        height: volTop + VOL_H - by }, g);
      var sy = vy(c.buy + c.sell);
      el("rect", { "class": "sell", x: cx - body / 2, width: body, y: sy, height: by - sy }, g);
    });

    var points = candles.filter(function (c) { return c.vwap !== null; }).map(function (c) {
      return (x(c.t) + band / 2).toFixed(1) + "," + y(c.vwap).toFixed(1);
    });
    if (points.length) { el("polyline", { "class": "vwap", points: points.join(" ") }, svg); }
    var steps = [];
    daily.forEach(function (d) {
      var a = Math.max(d.t, t0), b = Math.min(d.t + 24 * HOUR, t1);
      if (b > a) {
        steps.push(x(a).toFixed(1) + "," + y(d.p).toFixed(1));
        steps.push(x(b).toFixed(1) + "," + y(d.p).toFixed(1));
      }
    });
    if (steps.length) { el("polyline", { "class": "daily", points: steps.join(" ") }, svg); }

    node.appendChild(svg);
    node.setAttribute("data-candles", String(bodies.childNodes.length));
  }

  try {
    var data = JSON.parse(document.getElementById("coinlake-data").textContent);
    data.products.forEach(function (series) {
      drawChart(document.getElementById("chart-" + series.slug), series);
    });
    document.body.setAttribute("data-rendered", "true");
  } catch (error) {
    document.body.setAttribute("data-error", String(error));
    throw error;
  }
})();
