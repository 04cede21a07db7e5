/* zlt-assets meeting map: draws the layers handed over by zlt_assets/maps/meeting_map.py (one
 * story), styled as zlt_assets/symbology.py declares, with a title block, a grouped layer
 * switcher with search, and a legend that follows the switches.
 *
 * - Every layer is drawn on one canvas in the declared order (bottom first); switching a layer
 *   on puts it back at its place, not on top. Frame layers do not answer the pointer
 *   (interactive: false), so a click reaches the asset under it.
 * - Events are handled once per layer (not per feature): hover shows one shared tooltip, a click
 *   opens the popup of the feature drawn on top at that point.
 * - Points are canvas symbols (circle, square, triangle, diamond, star) scaled with the zoom;
 *   labels appear from the declared scale on, for the features in view only.
 * - Every value from the data is written with textContent (never innerHTML): an asset name
 *   holding markup shows as text and runs nothing. Long values are cut, with the full text on
 *   demand.
 * MIT licence, as zlt-assets. */
(function () {
  'use strict';

  var CUT = 160;          // characters of a value shown before "show all"
  var TIP_CUT = 60;       // characters of a tooltip
  var LABEL_CUT = 40;     // characters of a label
  var MAX_LABELS = 150;   // labels per layer in view
  var SVGNS = 'http://www.w3.org/2000/svg';

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function svg(tag, attrs) {
    var node = document.createElementNS(SVGNS, tag);
    Object.keys(attrs).forEach(function (k) {
      if (attrs[k] !== null && attrs[k] !== undefined) { node.setAttribute(k, String(attrs[k])); }
    });
    return node;
  }

  function isBlank(v) { return v === null || v === undefined || v === ''; }

  function cut(text, n) {
    var s = String(text);
    if (s.length <= n) { return s; }
    var chars = Array.from(s);  // never split a surrogate pair
    return chars.length <= n ? s : chars.slice(0, n).join('') + '…';
  }

  // ------------------------------------------------------------------ point symbols on canvas
  function shapePath(ctx, shape, x, y, r) {
    var i, a, rr;
    if (shape === 'square') {
      ctx.rect(x - r * 0.9, y - r * 0.9, r * 1.8, r * 1.8);
    } else if (shape === 'triangle') {
      ctx.moveTo(x, y - r * 1.15);
      ctx.lineTo(x + r, y + r * 0.6);
      ctx.lineTo(x - r, y + r * 0.6);
      ctx.closePath();
    } else if (shape === 'diamond') {
      ctx.moveTo(x, y - r * 1.2); ctx.lineTo(x + r, y);
      ctx.lineTo(x, y + r * 1.2); ctx.lineTo(x - r, y);
      ctx.closePath();
    } else if (shape === 'star') {
      for (i = 0; i < 10; i++) {
        a = -Math.PI / 2 + i * Math.PI / 5;
        rr = i % 2 === 0 ? r * 1.25 : r * 0.55;
        if (i === 0) { ctx.moveTo(x + rr * Math.cos(a), y + rr * Math.sin(a)); }
        else { ctx.lineTo(x + rr * Math.cos(a), y + rr * Math.sin(a)); }
      }
      ctx.closePath();
    } else {
      ctx.arc(x, y, r, 0, 2 * Math.PI, false);
    }
  }

  // ------------------------------------------------------------------ the drawing core
  // Every layer is plain arrays: vertices as integer Web-Mercator pixels at zoom 20 (delta-coded
  // in the page data), parts per feature, vertices per part, a bounding box per feature. One
  // canvas (an L.Canvas, so Leaflet places, pans and scales it during zoom animations) draws
  // the visible layers in the declared order; the features of a class come together, so each
  // run of one style is one canvas path (one fill, one stroke). The pointer is answered by a
  // grid index and Leaflet's own rules (inside a polygon; within half the stroke plus the
  // tolerance of a line or point symbol): the feature drawn last at the pixel wins.
  var Z = 20;
  var TOLERANCE = 4;      // pixels, as L.Canvas's "tolerance" option
  var DENSE_POINTS = 300; // dense point layers shrink when zoomed out; smaller ones keep size
  var MIN_STEP = 0.6;     // pixels: closer vertices are skipped when drawing (zoom-dependent)

  function pointScale(zoom, count) {
    if (count !== undefined && count <= DENSE_POINTS) { return 1; }
    return zoom >= 16 ? 1 : Math.max(0.45, 1 - (16 - zoom) * 0.14);
  }

  function undelta(arr) {
    var out = new Float64Array(arr.length), x = 0, y = 0;
    for (var i = 0; i + 1 < arr.length; i += 2) {
      x += arr[i]; y += arr[i + 1]; out[i] = x; out[i + 1] = y;
    }
    return out;
  }

  function prepare(lc) {
    var n = lc.count, xy = undelta(lc.xy || []), d = {xy: xy, n: n};
    var bbox = new Float64Array(4 * n), i, j, k;
    if (lc.kind === 'point') {
      for (i = 0; i < n; i++) {
        bbox[4 * i] = bbox[4 * i + 2] = xy[2 * i];
        bbox[4 * i + 1] = bbox[4 * i + 3] = xy[2 * i + 1];
      }
      d.lp = xy;
    } else {
      var np = lc.np, nv = lc.nv;
      d.featPart = new Int32Array(n + 1);
      d.partStart = new Int32Array(nv.length + 1);
      for (i = 0; i < nv.length; i++) { d.partStart[i + 1] = d.partStart[i] + nv[i]; }
      for (i = 0; i < n; i++) { d.featPart[i + 1] = d.featPart[i] + np[i]; }
      for (i = 0; i < n; i++) {
        var x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
        for (j = d.featPart[i]; j < d.featPart[i + 1]; j++) {
          for (k = d.partStart[j]; k < d.partStart[j + 1]; k++) {
            var x = xy[2 * k], y = xy[2 * k + 1];
            if (x < x0) { x0 = x; } if (x > x1) { x1 = x; }
            if (y < y0) { y0 = y; } if (y > y1) { y1 = y; }
          }
        }
        bbox[4 * i] = x0; bbox[4 * i + 1] = y0; bbox[4 * i + 2] = x1; bbox[4 * i + 3] = y1;
      }
      d.lp = undelta(lc.lp || []);
    }
    d.bbox = bbox;
    // one style per feature (an index into d.styles), the same object for a whole class
    var s = lc.style, styles = [], byKey = {};
    d.style = new Int32Array(n);
    for (i = 0; i < n; i++) {
      var color = s.other, width = s.width, v = s.field ? prop(lc, s.field, i) : undefined;
      var cls = s.field ? s.classes[v] : null;
      if (cls) { color = cls.color; if (cls.width) { width = cls.width; } }
      var key = color + '|' + width;
      if (byKey[key] === undefined) { byKey[key] = styles.length; styles.push({color: color, width: width}); }
      d.style[i] = byKey[key];
    }
    d.styles = styles;
    return d;
  }

  function data(entry) {
    if (!entry.data) { entry.data = prepare(entry.cfg); }
    return entry.data;
  }

  // the view in zoom-20 pixels, and the factor from zoom-20 pixels to layer points
  function frameOf(map) {
    var f = Math.pow(2, map.getZoom() - Z), o = map.getPixelOrigin();
    return {f: f, ox: o.x, oy: o.y};
  }

  function drawLayer(ctx, entry, fr, view, zoom) {
    var lc = entry.cfg, d = data(entry), s = lc.style, n = d.n, xy = d.xy, bbox = d.bbox;
    var f = fr.f, ox = fr.ox, oy = fr.oy, drawn = 0, i, j, k, cur = -1, x, y, px, py;
    var dash = s.dash || [];
    var point = lc.kind === 'point', poly = lc.kind === 'polygon', fillIt = point || s.kind === 'fill';
    var r = point ? Math.max(1, s.radius * pointScale(zoom, n)) : 0;
    function flush() {
      if (cur < 0) { return; }
      var st = d.styles[cur];
      if (fillIt) {
        ctx.globalAlpha = s.fillOpacity;
        ctx.fillStyle = st.color;
        ctx.fill('nonzero');
      }
      if (st.width > 0) {
        ctx.setLineDash(point ? [] : dash);
        ctx.globalAlpha = lc.kind === 'line' ? 0.95 : 1;
        ctx.lineWidth = st.width;
        ctx.strokeStyle = fillIt && s.stroke ? s.stroke : st.color;
        ctx.lineCap = dash.length ? 'butt' : 'round';
        ctx.lineJoin = 'round';
        ctx.stroke();
      }
    }
    for (i = 0; i < n; i++) {
      if (bbox[4 * i + 2] < view[0] || bbox[4 * i] > view[2] ||
          bbox[4 * i + 3] < view[1] || bbox[4 * i + 1] > view[3]) { continue; }
      if (d.style[i] !== cur) { flush(); ctx.beginPath(); cur = d.style[i]; }
      drawn++;
      if (point) {
        x = xy[2 * i] * f - ox; y = xy[2 * i + 1] * f - oy;
        if (s.shape === 'circle') { ctx.moveTo(x + r, y); }
        shapePath(ctx, s.shape, x, y, r);
        continue;
      }
      for (j = d.featPart[i]; j < d.featPart[i + 1]; j++) {
        var a = d.partStart[j], b = d.partStart[j + 1];
        px = xy[2 * a] * f - ox; py = xy[2 * a + 1] * f - oy;
        ctx.moveTo(px, py);
        for (k = a + 1; k < b; k++) {
          x = xy[2 * k] * f - ox; y = xy[2 * k + 1] * f - oy;
          if (k < b - 1 && Math.abs(x - px) < MIN_STEP && Math.abs(y - py) < MIN_STEP) { continue; }
          ctx.lineTo(x, y); px = x; py = y;
        }
        if (poly) { ctx.closePath(); }
      }
    }
    flush();
    entry.drawn = drawn;
  }

  var FastCanvas = L.Canvas.extend({
    options: {padding: 0.3, tolerance: TOLERANCE},
    setState: function (state) { this._state = state; return this; },
    _update: function () {
      if (this._map._animatingZoom && this._bounds) { return; }
      L.Canvas.prototype._update.call(this);
      this._redrawBounds = null;
      this._redraw();
    },
    _draw: function () {
      var state = this._state;
      if (!state || !this._bounds) { return; }
      var map = this._map, ctx = this._ctx, fr = frameOf(map), b = this._bounds;
      var view = [(b.min.x + fr.ox) / fr.f, (b.min.y + fr.oy) / fr.f,
                  (b.max.x + fr.ox) / fr.f, (b.max.y + fr.oy) / fr.f];
      var zoom = map.getZoom(), order = [];
      ctx.save();
      visibleEntries(state).forEach(function (entry) {
        drawLayer(ctx, entry, fr, view, zoom);
        order.push(entry.key);
      });
      ctx.restore();
      state.lastOrder = order;
    },
    redrawAll: function () {
      if (!this._map) { return; }
      this._redrawBounds = null;
      if (!this._redrawRequest) { this._redrawRequest = L.Util.requestAnimFrame(this._redraw, this); }
    },
    _onClick: function (e) {
      var map = this._map, state = this._state;
      if (e.type === 'click' && state && !(map.dragging && map.dragging.moved())) {
        var hit = hitTest(state, map.mouseEventToLayerPoint(e));
        if (hit) { openPopup(state, hit, map.mouseEventToLatLng(e)); return; }
      }
      this._fireEvent(false, e);
    },
    _onMouseMove: function (e) {
      var map = this._map, state = this._state;
      this._fireEvent(false, e);
      if (!state || map.dragging.moving() || map._animatingZoom || this._zltThrottled) { return; }
      this._zltThrottled = true;
      setTimeout(L.Util.bind(function () { this._zltThrottled = false; }, this), 32);
      var hit = hitTest(state, map.mouseEventToLayerPoint(e));
      var latlng = map.mouseEventToLatLng(e);
      if (hit) {
        L.DomUtil.addClass(this._container, 'leaflet-interactive');
        if (!state.tipFor || state.tipFor.key !== hit.key || state.tipFor.i !== hit.i) {
          showTip(state, hit, latlng);
        } else if (state.layers[hit.key].cfg.kind !== 'point') {
          state.tip.setLatLng(latlng);
        }
      } else {
        L.DomUtil.removeClass(this._container, 'leaflet-interactive');
        hideTip(state);
      }
    },
    _handleMouseOut: function (e) {
      if (this._state) { hideTip(this._state); }
      L.DomUtil.removeClass(this._container, 'leaflet-interactive');
      this._fireEvent(false, e);
    }
  });

  // ------------------------------------------------------------------ the pointer
  function grid(d) {
    if (d.grid) { return d.grid; }
    var n = d.n, bb = d.bbox, x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity, i;
    for (i = 0; i < n; i++) {
      x0 = Math.min(x0, bb[4 * i]); y0 = Math.min(y0, bb[4 * i + 1]);
      x1 = Math.max(x1, bb[4 * i + 2]); y1 = Math.max(y1, bb[4 * i + 3]);
    }
    var g = Math.max(1, Math.min(256, Math.round(Math.sqrt(n / 2))));
    var cw = Math.max((x1 - x0) / g, 1), ch = Math.max((y1 - y0) / g, 1), cells = new Array(g * g);
    for (i = 0; i < n; i++) {
      var ca = Math.max(0, Math.min(g - 1, Math.floor((bb[4 * i] - x0) / cw)));
      var cb = Math.max(0, Math.min(g - 1, Math.floor((bb[4 * i + 2] - x0) / cw)));
      var ra = Math.max(0, Math.min(g - 1, Math.floor((bb[4 * i + 1] - y0) / ch)));
      var rb = Math.max(0, Math.min(g - 1, Math.floor((bb[4 * i + 3] - y0) / ch)));
      for (var r = ra; r <= rb; r++) {
        for (var c = ca; c <= cb; c++) { (cells[r * g + c] = cells[r * g + c] || []).push(i); }
      }
    }
    d.grid = {g: g, x0: x0, y0: y0, cw: cw, ch: ch, cells: cells};
    return d.grid;
  }

  function candidates(d, x, y, r) {
    var G = grid(d), out = [], seen = {};
    var ca = Math.max(0, Math.floor((x - r - G.x0) / G.cw)), cb = Math.min(G.g - 1, Math.floor((x + r - G.x0) / G.cw));
    var ra = Math.max(0, Math.floor((y - r - G.y0) / G.ch)), rb = Math.min(G.g - 1, Math.floor((y + r - G.y0) / G.ch));
    for (var row = ra; row <= rb; row++) {
      for (var c = ca; c <= cb; c++) {
        var cell = G.cells[row * G.g + c];
        if (!cell) { continue; }
        for (var k = 0; k < cell.length; k++) {
          if (!seen[cell[k]]) { seen[cell[k]] = true; out.push(cell[k]); }
        }
      }
    }
    return out;
  }

  function segDist2(px, py, ax, ay, bx, by) {
    var dx = bx - ax, dy = by - ay, t = 0, l2 = dx * dx + dy * dy;
    if (l2 > 0) { t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / l2)); }
    var qx = ax + t * dx - px, qy = ay + t * dy - py;
    return qx * qx + qy * qy;
  }

  // does feature i of a layer answer at (x, y) (zoom-20 pixels) with tolerance tol?
  function contains(lc, d, i, x, y, tol) {
    var xy = d.xy, j, k, inside = false;
    if (lc.kind === 'point') {
      var dx = xy[2 * i] - x, dy = xy[2 * i + 1] - y;
      return dx * dx + dy * dy <= tol * tol;
    }
    var bb = d.bbox;
    if (x < bb[4 * i] - tol || x > bb[4 * i + 2] + tol || y < bb[4 * i + 1] - tol ||
        y > bb[4 * i + 3] + tol) { return false; }
    var t2 = tol * tol;
    for (j = d.featPart[i]; j < d.featPart[i + 1]; j++) {
      var a = d.partStart[j], b = d.partStart[j + 1];
      for (k = a; k < b - 1; k++) {
        var ax = xy[2 * k], ay = xy[2 * k + 1], bx = xy[2 * k + 2], by = xy[2 * k + 3];
        if (segDist2(x, y, ax, ay, bx, by) <= t2) { return true; }
        if (lc.kind === 'polygon' && ((ay > y) !== (by > y)) &&
            x < (bx - ax) * (y - ay) / (by - ay) + ax) { inside = !inside; }
      }
      if (lc.kind === 'polygon' && b - a > 1) {  // the closing edge
        var lx = xy[2 * (b - 1)], ly = xy[2 * (b - 1) + 1], fx = xy[2 * a], fy = xy[2 * a + 1];
        if (segDist2(x, y, lx, ly, fx, fy) <= t2) { return true; }
        if (((ly > y) !== (fy > y)) && x < (fx - lx) * (y - ly) / (fy - ly) + lx) { inside = !inside; }
      }
    }
    return inside;
  }

  // the interactive feature drawn last under a layer point: {key, i} or null
  function hitTest(state, p) {
    var map = state.map, fr = frameOf(map), x = (p.x + fr.ox) / fr.f, y = (p.y + fr.oy) / fr.f;
    var zoom = map.getZoom(), shown = visibleEntries(state);
    for (var e = shown.length - 1; e >= 0; e--) {
      var entry = shown[e], lc = entry.cfg;
      if (!lc.interactive || !lc.count) { continue; }
      var d = data(entry), s = lc.style, best = -1;
      var maxw = s.width;
      d.styles.forEach(function (st) { if (st.width > maxw) { maxw = st.width; } });
      var px = (lc.kind === 'point' ? s.radius * pointScale(zoom, lc.count) : 0) + maxw / 2 + TOLERANCE;
      var cand = candidates(d, x, y, px / fr.f);
      for (var c = 0; c < cand.length; c++) {
        var i = cand[c];
        if (i <= best) { continue; }
        var w = d.styles[d.style[i]].width;
        var tol = ((lc.kind === 'point' ? s.radius * pointScale(zoom, lc.count) : 0) + w / 2 + TOLERANCE) / fr.f;
        if (contains(lc, d, i, x, y, tol)) { best = i; }
      }
      if (best >= 0) { return {key: lc.key, i: best}; }
    }
    return null;
  }

  function featureLatLng(state, key, i) {
    var d = data(state.layers[key]);
    return L.CRS.EPSG3857.pointToLatLng(L.point(d.lp[2 * i], d.lp[2 * i + 1]), Z);
  }

  function featureBounds(state, key, i) {
    var bb = data(state.layers[key]).bbox, crs = L.CRS.EPSG3857;
    return L.latLngBounds(crs.pointToLatLng(L.point(bb[4 * i], bb[4 * i + 1]), Z),
                          crs.pointToLatLng(L.point(bb[4 * i + 2], bb[4 * i + 3]), Z));
  }

  // ------------------------------------------------------------------ values and popups
  // a column is a list of values, or {d: distinct values, i: index of each feature's value}
  function prop(lc, name, i) {
    var col = name ? lc.props[name] : null;
    if (!col) { return undefined; }
    return col.i ? col.d[col.i[i]] : col[i];
  }

  function formatValue(cfg, fieldDef, v) {
    if (fieldDef.domain && cfg.domains[fieldDef.domain]) {
      var lab = cfg.domains[fieldDef.domain][String(v)];
      if (lab !== undefined) { return lab; }
    }
    if (v === true) { return cfg.text.yes; }
    if (v === false) { return cfg.text.no; }
    return String(v);
  }

  // a value cut to CUT characters, with a button showing the whole text
  function longText(cfg, tag, cls, text) {
    var full = String(text);
    var node = el(tag, cls);
    node.setAttribute('dir', 'auto');
    var short = cut(full, CUT);
    var span = el('span', 'zlt-value', short);
    node.appendChild(span);
    if (short !== full) {
      node.setAttribute('title', cut(full, 2000));
      var btn = el('button', 'zlt-more', cfg.text.more + ' (' + Array.from(full).length + ' ' +
                   cfg.text.chars + ')');
      btn.type = 'button';
      btn.addEventListener('click', function (ev) {
        ev.stopPropagation();
        var open = span.textContent !== full;
        span.textContent = open ? full : short;
        btn.textContent = open ? cfg.text.less : cfg.text.more + ' (' + Array.from(full).length +
          ' ' + cfg.text.chars + ')';
      });
      node.appendChild(btn);
    }
    return node;
  }

  function featureName(lc, i) {
    var name = prop(lc, lc.nameField, i);
    if (isBlank(name)) { name = prop(lc, lc.idField, i); }
    return isBlank(name) ? null : name;
  }

  function popupElement(cfg, lc, i) {
    var box = el('div', 'zlt-popup');
    box.setAttribute('data-layer', lc.key);
    box.appendChild(el('div', 'zlt-popup-layer', lc.title));
    var name = featureName(lc, i);
    if (name !== null) { box.appendChild(longText(cfg, 'div', 'zlt-popup-name', name)); }
    var table = el('table', 'zlt-popup-table');
    lc.fields.forEach(function (f) {
      var v = prop(lc, f.name, i);
      if (isBlank(v)) { return; }
      var tr = el('tr');
      tr.appendChild(el('th', null, f.label));
      tr.appendChild(longText(cfg, 'td', null, formatValue(cfg, f, v)));
      table.appendChild(tr);
    });
    box.appendChild(table);
    L.DomEvent.disableScrollPropagation(box);
    return box;
  }

  // ------------------------------------------------------------------ layers
  function openPopup(state, hit, latlng) {
    var lc = state.layers[hit.key].cfg;
    hideTip(state);
    var h = Math.max(160, Math.round(state.map.getSize().y * 0.55));
    var at = lc.kind === 'point' || !latlng ? featureLatLng(state, hit.key, hit.i) : latlng;
    state.popup = L.popup({maxWidth: 360, minWidth: 200, maxHeight: h, className: 'zlt-popup-wrap',
                           autoPanPaddingTopLeft: [10, 10], autoPanPaddingBottomRight: [10, 10]})
      .setLatLng(at)
      .setContent(popupElement(state.cfg, lc, hit.i))
      .openOn(state.map);
    state.popupFor = hit;
  }

  function showTip(state, hit, latlng) {
    var lc = state.layers[hit.key].cfg;
    var name = featureName(lc, hit.i);
    var box = el('div', 'zlt-tip');
    box.setAttribute('dir', 'auto');
    box.appendChild(el('span', 'zlt-tip-name', name === null ? lc.title : cut(name, TIP_CUT)));
    if (name !== null) { box.appendChild(el('span', 'zlt-tip-layer', ' · ' + lc.title)); }
    var at = lc.kind === 'point' ? featureLatLng(state, hit.key, hit.i) : latlng;
    state.tip.setContent(box).setLatLng(at);
    state.map.openTooltip(state.tip);
    state.tipFor = hit;
  }

  function hideTip(state) {
    if (state.tipFor) { state.map.closeTooltip(state.tip); state.tipFor = null; }
  }

  function visibleEntries(state) {
    return state.order.map(function (k) { return state.layers[k]; })
      .filter(function (e) { return e.visible; });
  }

  function setVisible(state, key, on) {
    var entry = state.layers[key];
    if (!entry || entry.visible === on) { return; }
    entry.visible = on;  // drawn at its declared place: the draw loop follows state.order
    if (!on) {
      if (state.popupFor && state.popupFor.key === key) { state.map.closePopup(); }
      hideTip(state);
    }
    state.renderer.redrawAll();
    syncSwitcher(state);
    renderLegend(state);
    updateLabels(state);
  }

  // the layers in the order the canvas drew them last, bottom first
  function drawOrder(state) { return (state.lastOrder || []).slice(); }

  // ------------------------------------------------------------------ labels
  // a DOM node, never a string: Leaflet writes string content as markup
  function labelElement(text) {
    var span = el('span', null, cut(text, LABEL_CUT));
    span.setAttribute('dir', 'auto');
    return span;
  }

  function updateLabels(state) {
    var map = state.map;
    state.labels.forEach(function (t) { map.removeLayer(t); });
    state.labels = [];
    var zoom = map.getZoom(), fr = frameOf(map), size = map.getSize(), o = map._getMapPanePos();
    // the visible screen in zoom-20 pixels
    var x0 = (-o.x + fr.ox) / fr.f, y0 = (-o.y + fr.oy) / fr.f;
    var x1 = x0 + size.x / fr.f, y1 = y0 + size.y / fr.f;
    visibleEntries(state).forEach(function (entry) {
      var lc = entry.cfg;
      if (!lc.labelField || zoom < lc.labelMinZoom || !lc.count) { return; }
      var d = data(entry), n = 0;
      for (var i = 0; i < lc.count && n < MAX_LABELS; i++) {
        var text = prop(lc, lc.labelField, i), x = d.lp[2 * i], y = d.lp[2 * i + 1];
        if (isBlank(text) || x < x0 || x > x1 || y < y0 || y > y1) { continue; }
        var t = L.tooltip({permanent: true, interactive: false, pane: 'zltLabels',
                           direction: lc.kind === 'point' ? 'right' : 'center',
                           className: 'zlt-label zlt-label-' + lc.kind,
                           offset: lc.kind === 'point' ? [6, 0] : [0, 0]})
          .setLatLng(featureLatLng(state, lc.key, i)).setContent(labelElement(text));
        t.addTo(map);
        state.labels.push(t);
        n++;
      }
    });
  }

  // ------------------------------------------------------------------ panels
  function small() { return window.innerWidth < 1280 || window.innerHeight < 820; }

  function panel(cls, title, startOpen) {
    var div = el('div', 'zlt-panel ' + cls + ' leaflet-bar');
    var head = el('button', 'zlt-panel-toggle', title);
    head.type = 'button';
    var body = el('div', 'zlt-panel-body');
    head.setAttribute('aria-expanded', startOpen ? 'true' : 'false');
    if (!startOpen) { body.style.display = 'none'; div.className += ' zlt-collapsed'; }
    head.addEventListener('click', function () {
      var open = body.style.display === 'none';
      body.style.display = open ? '' : 'none';
      head.setAttribute('aria-expanded', open ? 'true' : 'false');
      div.className = div.className.replace(' zlt-collapsed', '') + (open ? '' : ' zlt-collapsed');
      if (window.zltMap && window.zltMap.layout) { window.zltMap.layout(); }
    });
    div.appendChild(head);
    div.appendChild(body);
    L.DomEvent.disableClickPropagation(div);
    L.DomEvent.disableScrollPropagation(div);
    return {div: div, head: head, body: body};
  }

  function syncSwitcher(state) {
    (state.switcherGroups || []).forEach(function (g) {
      var on = g.keys.filter(function (k) { return state.layers[k].visible; }).length;
      g.box.checked = on === g.keys.length;
      g.box.indeterminate = on > 0 && on < g.keys.length;
      g.rows.forEach(function (cb) { cb.checked = state.layers[cb.getAttribute('data-layer')].visible; });
    });
  }

  function layerSwitcher(state) {
    var cfg = state.cfg;
    var Ctl = L.Control.extend({
      options: {position: 'topright'},
      onAdd: function () {
        var p = panel('zlt-layers', cfg.text.layers, !small());
        p.body.appendChild(searchBox(state));
        state.switcherGroups = [];
        cfg.groups.forEach(function (g) {
          var keys = g.layers.filter(function (k) { return state.layers[k]; });
          if (!keys.length) { return; }
          var gbox = el('div', 'zlt-group');
          gbox.setAttribute('data-group', g.key);
          var glab = el('label', 'zlt-group-title');
          var gcb = el('input');
          gcb.type = 'checkbox';
          glab.appendChild(gcb);
          glab.appendChild(el('span', null, g.title));
          gbox.appendChild(glab);
          var rows = [];
          keys.forEach(function (k) {
            var entry = state.layers[k];
            var lab = el('label', 'zlt-layer-row');
            var cb = el('input');
            cb.type = 'checkbox';
            cb.setAttribute('data-layer', k);
            cb.addEventListener('change', function () { setVisible(state, k, cb.checked); });
            lab.appendChild(cb);
            lab.appendChild(el('span', null, entry.cfg.title + ' (' + entry.cfg.count + ')'));
            gbox.appendChild(lab);
            rows.push(cb);
          });
          // the whole group follows its switch (the state wanted is read once, before any
          // layer changes and re-syncs the group box)
          gcb.addEventListener('change', function () {
            var on = gcb.checked;
            keys.forEach(function (k) { setVisible(state, k, on); });
            syncSwitcher(state);
          });
          state.switcherGroups.push({key: g.key, box: gcb, keys: keys, rows: rows});
          p.body.appendChild(gbox);
        });
        syncSwitcher(state);
        return p.div;
      }
    });
    return new Ctl().addTo(state.map);
  }

  function swatch(block, entry) {
    var w = 22, h = 14, node = svg('svg', {width: w, height: h, 'class': 'zlt-swatch',
                                           'aria-hidden': 'true'});
    var color = entry.color, stroke = block.stroke || color;
    var dash = block.dash ? block.dash.join(' ') : null;
    var width = Math.min(entry.width || block.width, 6);
    if (block.kind === 'point') {
      var r = 5, d = [];
      var fake = {
        rect: function (x, y, a, b) { d.push('M' + x + ' ' + y + 'h' + a + 'v' + b + 'h' + (-a) + 'Z'); },
        moveTo: function (x, y) { d.push('M' + x.toFixed(2) + ' ' + y.toFixed(2)); },
        lineTo: function (x, y) { d.push('L' + x.toFixed(2) + ' ' + y.toFixed(2)); },
        closePath: function () { d.push('Z'); },
        arc: function (x, y, rr) {
          d.push('M' + (x - rr) + ' ' + y + 'a' + rr + ' ' + rr + ' 0 1 0 ' + 2 * rr + ' 0a' + rr +
                 ' ' + rr + ' 0 1 0 ' + (-2 * rr) + ' 0');
        }
      };
      shapePath(fake, block.shape, w / 2, h / 2, r);
      node.appendChild(svg('path', {d: d.join(''), fill: color, 'fill-opacity': block.fillOpacity,
                                    stroke: stroke, 'stroke-width': Math.max(1, block.width)}));
    } else if (block.kind === 'line') {
      node.appendChild(svg('line', {x1: 1, y1: h / 2, x2: w - 1, y2: h / 2, stroke: color,
                                    'stroke-width': Math.max(1.5, width), 'stroke-dasharray': dash}));
    } else if (block.kind === 'outline') {
      node.appendChild(svg('rect', {x: 2, y: 2, width: w - 4, height: h - 4, fill: 'none',
                                    stroke: color, 'stroke-width': Math.max(1.2, width),
                                    'stroke-dasharray': dash}));
    } else {
      node.appendChild(svg('rect', {x: 2, y: 2, width: w - 4, height: h - 4, fill: color,
                                    'fill-opacity': block.fillOpacity, stroke: stroke,
                                    'stroke-width': Math.max(1, width), 'stroke-dasharray': dash}));
    }
    return node;
  }

  function legendControl(state) {
    var cfg = state.cfg;
    var Ctl = L.Control.extend({
      options: {position: 'bottomright'},
      onAdd: function () {
        var p = panel('zlt-legend', cfg.text.legend, window.innerHeight >= 700);
        state.legendBody = p.body;
        renderLegend(state);
        return p.div;
      }
    });
    return new Ctl().addTo(state.map);
  }

  // the blocks of the visible layers, top layer first, built from the style declaration
  function renderLegend(state) {
    var body = state.legendBody;
    if (!body) { return; }
    while (body.firstChild) { body.removeChild(body.firstChild); }
    var shown = visibleEntries(state).slice().reverse();
    if (!shown.length) { body.appendChild(el('div', 'zlt-legend-none', state.cfg.text.noLayer)); }
    shown.forEach(function (entry) {
      var block = entry.cfg.legend;
      var div = el('div', 'zlt-legend-block');
      div.setAttribute('data-layer', entry.cfg.key);
      if (block.single) {
        var row = el('div', 'zlt-legend-row zlt-legend-layer');
        row.appendChild(swatch(block, block.entries[0]));
        row.appendChild(el('span', 'zlt-legend-label', block.title));
        row.appendChild(el('span', 'zlt-legend-count', block.entries[0].count));
        div.appendChild(row);
      } else {
        div.appendChild(el('div', 'zlt-legend-layer', block.title +
                           (block.heading ? ' · ' + block.heading : '')));
        block.entries.forEach(function (e) {
          var r = el('div', 'zlt-legend-row');
          r.setAttribute('data-code', e.code);
          r.appendChild(swatch(block, e));
          r.appendChild(el('span', 'zlt-legend-label', e.label));
          r.appendChild(el('span', 'zlt-legend-count', e.count));
          div.appendChild(r);
        });
      }
      body.appendChild(div);
    });
  }

  function titleBlock(state) {
    var cfg = state.cfg, t = cfg.title;
    var box = el('div', 'zlt-title leaflet-control');
    if (t.subtitle) { box.appendChild(el('div', 'zlt-title-sub', t.subtitle)); }
    box.appendChild(el('div', 'zlt-title-main', t.main));
    (t.caption || []).forEach(function (c) {
      var line = el('div', 'zlt-caption');
      line.appendChild(el('div', 'zlt-caption-first', c[0]));
      if (c[1] && c[1] !== c[0]) { line.appendChild(el('div', 'zlt-caption-second', c[1])); }
      box.appendChild(line);
    });
    var plain = el('div', 'zlt-title-lines'), warn = el('div', 'zlt-notices');
    t.lines.forEach(function (line) {
      (line.warn ? warn : plain).appendChild(el('div', line.warn ? 'zlt-warn' : 'zlt-title-line',
                                                line.text));
    });
    box.appendChild(plain);
    if (warn.firstChild) { box.appendChild(warn); }
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    var corner = state.map.getContainer().querySelector('.leaflet-top.leaflet-left');
    corner.insertBefore(box, corner.firstChild);
    return box;
  }

  // ------------------------------------------------------------------ search
  function buildIndex(state) {
    if (state.index) { return state.index; }
    var index = [];
    state.order.forEach(function (k) {
      var lc = state.layers[k].cfg;
      if (!lc.interactive) { return; }
      for (var i = 0; i < lc.count; i++) {
        var name = prop(lc, lc.nameField, i), id = prop(lc, lc.idField, i);
        if (isBlank(name) && isBlank(id)) { continue; }
        var shown = isBlank(name) ? String(id) : String(name);
        index.push({key: k, i: i, name: shown, title: lc.title,
                    text: (String(isBlank(name) ? '' : name) + ' ' +
                           String(isBlank(id) ? '' : id)).toLowerCase()});
      }
    });
    state.index = index;
    return index;
  }

  function search(state, q) {
    q = String(q).trim().toLowerCase();
    if (!q) { return []; }
    return buildIndex(state).filter(function (e) { return e.text.indexOf(q) >= 0; });
  }

  function goTo(state, hit) {
    setVisible(state, hit.key, true);
    var map = state.map, lc = state.layers[hit.key].cfg, at = featureLatLng(state, hit.key, hit.i);
    if (lc.kind === 'point') {
      map.setView(at, Math.max(map.getZoom(), 17), {animate: false});
    } else {
      map.fitBounds(featureBounds(state, hit.key, hit.i), {maxZoom: 17, animate: false});
    }
    openPopup(state, hit, at);
  }

  function searchBox(state) {
    var cfg = state.cfg;
    var div = el('div', 'zlt-search');
    var input = el('input', 'zlt-search-input');
    input.type = 'search';
    input.placeholder = cfg.text.search;
    input.setAttribute('aria-label', cfg.text.search);
    var list = el('ul', 'zlt-search-results');
    div.appendChild(input);
    div.appendChild(list);
    input.addEventListener('input', function () {
      while (list.firstChild) { list.removeChild(list.firstChild); }
      if (!input.value.trim()) { return; }
      var hits = search(state, input.value).slice(0, 12);
      if (!hits.length) { list.appendChild(el('li', 'zlt-search-none', cfg.text.noMatch)); }
      hits.forEach(function (h) {
        var li = el('li', 'zlt-search-hit');
        li.setAttribute('dir', 'auto');
        li.appendChild(el('span', 'zlt-search-name', cut(h.name, TIP_CUT)));
        li.appendChild(el('span', 'zlt-search-layer', ' · ' + h.title));
        li.addEventListener('click', function () { goTo(state, h); });
        list.appendChild(li);
      });
    });
    return div;
  }

  // leaflet-measure draws its vertices as SVG paths (it sets attributes on layer._path); the map
  // renders on canvas, so give the measure layers an SVG renderer of their own.
  if (L.Control && L.Control.Measure && !L.Control.Measure.prototype._zltPatched) {
    var startMeasure = L.Control.Measure.prototype._startMeasure;
    L.Control.Measure.include({
      _zltPatched: true,
      _startMeasure: function () {
        var self = this;
        if (this._symbols && !this._symbols._zltSvg) {
          var getSymbol = this._symbols.getSymbol.bind(this._symbols);
          this._symbols._zltSvg = L.svg();
          this._symbols.getSymbol = function (name) {
            return L.extend({}, getSymbol(name), {renderer: self._symbols._zltSvg});
          };
        }
        return startMeasure.apply(this, arguments);
      }
    });
  }

  function setDefaultIcons(icons) {
    if (!icons || !L.Icon || !L.Icon.Default) { return; }
    L.Icon.Default.imagePath = '';
    L.Icon.Default.mergeOptions({
      iconUrl: icons.icon, iconRetinaUrl: icons.iconRetina, shadowUrl: icons.shadow
    });
  }

  // the layer panel (top right) and the legend (bottom right) share the right edge: the layer
  // list gets the height the legend leaves, and scrolls inside it
  function layout(state) {
    var box = state.map.getContainer();
    var layers = box.querySelector('.zlt-layers .zlt-panel-body');
    var legend = box.querySelector('.zlt-legend');
    var legendBody = box.querySelector('.zlt-legend .zlt-panel-body');
    if (!layers || !legend) { return; }
    var h = box.clientHeight;
    legendBody.style.maxHeight = Math.max(80, Math.round(h * 0.36)) + 'px';
    var head = box.querySelector('.zlt-layers .zlt-panel-toggle').offsetHeight;
    var attribution = box.querySelector('.leaflet-control-attribution');
    var bottom = legend.offsetHeight + (attribution ? attribution.offsetHeight : 0) + 30;
    layers.style.maxHeight = Math.max(60, h - bottom - head - 20) + 'px';
  }

  function fit(state) {
    var cfg = state.cfg, map = state.map;
    if (!cfg.bounds) { return; }
    var size = map.getSize(), mapBox = map.getContainer().getBoundingClientRect();
    var title = state.titleBox.getBoundingClientRect();
    var legend = state.map.getContainer().querySelector('.zlt-legend').getBoundingClientRect();
    var top = Math.min(title.bottom - mapBox.top + 8, size.y * 0.4);
    var right = Math.min(legend.width + 16, size.x * 0.35);
    map.fitBounds(cfg.bounds, {paddingTopLeft: [16, top], paddingBottomRight: [right, 16],
                               animate: false});
  }

  window.zltMeetingMap = function (map, cfg) {
    var t0 = (window.performance && performance.now) ? performance.now() : 0;
    setDefaultIcons(cfg.icons);
    if (map.options.maxZoom === undefined) { map.setMaxZoom(cfg.maxZoom || 19); }
    map.createPane('zltLabels').style.zIndex = 640;
    var state = {
      map: map, cfg: cfg, layers: {}, order: [], labels: [], index: null,
      renderer: new FastCanvas(),
      tip: L.tooltip({direction: 'top', offset: [0, -6], opacity: 0.95, className: 'zlt-tip-wrap'})
    };
    cfg.layers.forEach(function (lc) {
      state.layers[lc.key] = {cfg: lc, key: lc.key, visible: !!lc.visible, data: null,
                              count: lc.count, drawn: 0};
      state.order.push(lc.key);
    });
    state.renderer.setState(state);
    state.titleBox = titleBlock(state);
    layerSwitcher(state);
    legendControl(state);
    L.control.scale({imperial: false, metric: true, position: 'bottomleft'}).addTo(map);
    layout(state);
    fit(state);
    map.addLayer(state.renderer);
    map.on('resize', function () { layout(state); });
    syncSwitcher(state);
    renderLegend(state);
    map.on('moveend', function () { updateLabels(state); });
    updateLabels(state);
    var api = {
      map: map, layers: state.layers, config: cfg, state: state,
      setVisible: function (k, on) { setVisible(state, k, on); },
      visible: function () { return visibleEntries(state).map(function (e) { return e.key; }); },
      drawOrder: function () { return drawOrder(state); },
      search: function (q) { return search(state, q); },
      goTo: function (hit) { goTo(state, hit); },
      layout: function () { layout(state); },
      loadMs: t0 ? performance.now() - t0 : null
    };
    window.zltMap = api;
    return api;
  };
}());
