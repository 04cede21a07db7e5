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

  var ZltMarker = L.CircleMarker.extend({
    _updatePath: function () {
      var r = this._renderer;
      if (!r || !r._ctx) { return L.CircleMarker.prototype._updatePath.call(this); }
      if (!r._drawing || this._empty()) { return; }
      var p = this._point, ctx = r._ctx;
      ctx.beginPath();
      shapePath(ctx, this.options.shape, p.x, p.y, Math.max(this._radius, 1));
      r._fillStroke(ctx, this);
    }
  });

  // dense point layers shrink when zoomed out (their symbols would merge into blots); a layer
  // of a few hundred points or fewer keeps its declared size
  var DENSE_POINTS = 300;
  function pointScale(zoom, count) {
    if (count !== undefined && count <= DENSE_POINTS) { return 1; }
    return zoom >= 16 ? 1 : Math.max(0.45, 1 - (16 - zoom) * 0.14);
  }

  // ------------------------------------------------------------------ values and popups
  function prop(lc, name, i) {
    var col = name ? lc.props[name] : null;
    return col ? col[i] : undefined;
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
  function featureStyle(lc, i) {
    var s = lc.style, color = s.other, width = s.width;
    if (s.field) {
      var cls = s.classes[prop(lc, s.field, i)];
      if (cls) { color = cls.color; if (cls.width) { width = cls.width; } }
    }
    var dash = s.dash ? s.dash.join(' ') : null;
    if (lc.kind === 'point') {
      return {color: s.stroke || color, fillColor: color, weight: width, fill: true,
              fillOpacity: s.fillOpacity, radius: s.radius, shape: s.shape, opacity: 1};
    }
    if (lc.kind === 'line') {
      return {color: color, weight: width, dashArray: dash, fill: false, opacity: 0.95,
              lineCap: dash ? 'butt' : 'round'};
    }
    if (s.kind === 'outline') {
      return {color: color, weight: width, dashArray: dash, fill: false, opacity: 1};
    }
    return {color: s.stroke || color, fillColor: color, weight: width, dashArray: dash,
            fill: true, fillOpacity: s.fillOpacity, opacity: 1};
  }

  function buildLayer(state, entry) {
    var lc = entry.cfg, map = state.map, group = L.featureGroup(), paths = [];
    var scale = pointScale(map.getZoom(), lc.count);
    for (var i = 0; i < lc.count; i++) {
      var o = featureStyle(lc, i), path;
      o.renderer = state.renderer;
      o.interactive = lc.interactive;
      o.bubblingMouseEvents = false;
      if (lc.kind === 'point') {
        o.radius = lc.style.radius * scale;
        path = new ZltMarker(lc.geom[i], o);
      } else if (lc.kind === 'line') {
        path = L.polyline(lc.geom[i], o);
      } else {
        path = L.polygon(lc.geom[i], o);
      }
      path._zk = lc.key;
      path._zi = i;
      paths.push(path);
      group.addLayer(path);
    }
    entry.group = group;
    entry.paths = paths;
    entry.scale = scale;
    if (lc.interactive) {
      group.on('click', function (e) { openPopup(state, e.propagatedFrom || e.layer, e.latlng); });
      group.on('mouseover', function (e) { showTip(state, e.propagatedFrom || e.layer, e.latlng); });
      group.on('mousemove', function (e) {
        var p = e.propagatedFrom || e.layer;
        if (state.tipFor === p && !p.getLatLng) { state.tip.setLatLng(e.latlng); }
      });
      group.on('mouseout', function () { hideTip(state); });
    }
  }

  function anchor(path, latlng) {
    if (path.getLatLng) { return path.getLatLng(); }
    return latlng || path.getCenter();
  }

  function openPopup(state, path, latlng) {
    var lc = state.layers[path._zk].cfg;
    hideTip(state);
    var h = Math.max(160, Math.round(state.map.getSize().y * 0.55));
    state.popup = L.popup({maxWidth: 360, minWidth: 200, maxHeight: h, className: 'zlt-popup-wrap',
                           autoPanPaddingTopLeft: [10, 10], autoPanPaddingBottomRight: [10, 10]})
      .setLatLng(anchor(path, latlng))
      .setContent(popupElement(state.cfg, lc, path._zi))
      .openOn(state.map);
    state.popupFor = path;
  }

  function showTip(state, path, latlng) {
    var lc = state.layers[path._zk].cfg;
    var name = featureName(lc, path._zi);
    var box = el('div', 'zlt-tip');
    box.setAttribute('dir', 'auto');
    box.appendChild(el('span', 'zlt-tip-name', name === null ? lc.title : cut(name, TIP_CUT)));
    if (name !== null) { box.appendChild(el('span', 'zlt-tip-layer', ' · ' + lc.title)); }
    state.tip.setContent(box).setLatLng(anchor(path, latlng));
    state.map.openTooltip(state.tip);
    state.tipFor = path;
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
    entry.visible = on;
    if (on) {
      if (!entry.group) { buildLayer(state, entry); }
      else { rescale(state, entry); }
      state.map.addLayer(entry.group);
      // back to its declared place: everything declared above it comes on top again
      visibleEntries(state).forEach(function (e) {
        if (e.cfg.order > entry.cfg.order) { e.group.bringToFront(); }
      });
    } else {
      if (state.popupFor && state.popupFor._zk === key) { state.map.closePopup(); }
      hideTip(state);
      state.map.removeLayer(entry.group);
    }
    syncSwitcher(state);
    renderLegend(state);
    updateLabels(state);
  }

  function rescale(state, entry) {
    if (entry.cfg.kind !== 'point' || !entry.paths) { return; }
    var scale = pointScale(state.map.getZoom(), entry.cfg.count);
    if (scale === entry.scale) { return; }
    entry.scale = scale;
    var r = entry.cfg.style.radius * scale;
    entry.paths.forEach(function (p) { p.setRadius(r); });
  }

  // the layers as the canvas draws them, bottom first (for tests and for people who ask)
  function drawOrder(state) {
    var out = [], node = state.renderer._drawFirst;
    for (; node; node = node.next) {
      var k = node.layer._zk;
      if (k && out[out.length - 1] !== k) { out.push(k); }
    }
    return out;
  }

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
    var zoom = map.getZoom(), bounds = map.getBounds();
    visibleEntries(state).forEach(function (entry) {
      var lc = entry.cfg;
      if (!lc.labelField || zoom < lc.labelMinZoom) { return; }
      var n = 0;
      for (var i = 0; i < entry.paths.length && n < MAX_LABELS; i++) {
        var p = entry.paths[i], text = prop(lc, lc.labelField, i);
        if (isBlank(text)) { continue; }
        var inView = p.getLatLng ? bounds.contains(p.getLatLng()) :
          bounds.intersects(p.getBounds());
        if (!inView) { continue; }
        var at = p.getLatLng ? p.getLatLng() : p.getCenter();
        var t = L.tooltip({permanent: true, interactive: false, pane: 'zltLabels',
                           direction: lc.kind === 'point' ? 'right' : 'center',
                           className: 'zlt-label zlt-label-' + lc.kind,
                           offset: lc.kind === 'point' ? [6, 0] : [0, 0]})
          .setLatLng(at).setContent(labelElement(text));
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
    var path = state.layers[hit.key].paths[hit.i], map = state.map;
    if (path.getLatLng) {
      map.setView(path.getLatLng(), Math.max(map.getZoom(), 17), {animate: false});
    } else {
      map.fitBounds(path.getBounds(), {maxZoom: 17, animate: false});
    }
    openPopup(state, path, path.getLatLng ? path.getLatLng() : path.getCenter());
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
      renderer: L.canvas({padding: 0.3, tolerance: 4}),
      tip: L.tooltip({direction: 'top', offset: [0, -6], opacity: 0.95, className: 'zlt-tip-wrap'})
    };
    cfg.layers.forEach(function (lc) {
      state.layers[lc.key] = {cfg: lc, key: lc.key, visible: false, group: null, paths: null};
      state.order.push(lc.key);
    });
    state.titleBox = titleBlock(state);
    layerSwitcher(state);
    legendControl(state);
    L.control.scale({imperial: false, metric: true, position: 'bottomleft'}).addTo(map);
    layout(state);
    fit(state);
    map.on('resize', function () { layout(state); });
    cfg.layers.forEach(function (lc) { if (lc.visible) { setVisible(state, lc.key, true); } });
    syncSwitcher(state);
    map.on('zoomend', function () {
      visibleEntries(state).forEach(function (e) { rescale(state, e); });
    });
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
