/* zlt-assets meeting map: draws the inventory layers and analysis overlays handed over by
 * zlt_assets/maps/meeting_map.py, with a grouped layer switcher, a legend, a title block and a
 * search box. Every value from the data is written with textContent (never innerHTML), so an
 * asset name holding markup shows as text and runs nothing. MIT licence, as zlt-assets. */
(function () {
  'use strict';

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function isBlank(v) {
    return v === null || v === undefined || v === '';
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

  function popupElement(cfg, lc, props) {
    var box = el('div', 'zlt-popup');
    var name = lc.nameField ? props[lc.nameField] : null;
    box.appendChild(el('div', 'zlt-popup-layer', lc.title));
    if (!isBlank(name)) { box.appendChild(el('div', 'zlt-popup-name', name)); }
    var table = el('table', 'zlt-popup-table');
    lc.fields.forEach(function (f) {
      var v = props[f.name];
      if (isBlank(v)) { return; }
      var tr = el('tr');
      tr.appendChild(el('th', null, f.label));
      tr.appendChild(el('td', null, formatValue(cfg, f, v)));
      table.appendChild(tr);
    });
    box.appendChild(table);
    return box;
  }

  function styleFor(cfg, lc, props) {
    var s = {
      color: lc.color, fillColor: lc.color, weight: lc.weight, fill: lc.fill,
      fillOpacity: lc.fillOpacity, opacity: 1.0, dashArray: lc.dash || null
    };
    if (lc.catField && lc.colors && props[lc.catField] !== undefined &&
        lc.colors[props[lc.catField]] !== undefined) {
      s.color = s.fillColor = lc.colors[props[lc.catField]];
    }
    if (props._fill) { s.fillColor = props._fill; }
    if (lc.statusField) {
      var st = cfg.statusStyles[props[lc.statusField]];
      if (st) {
        s.fillOpacity = lc.fill ? st.fillOpacity : 0;
        s.opacity = st.opacity;
        if (st.dash) { s.dashArray = st.dash; }
      }
    }
    return s;
  }

  function buildLayer(map, cfg, lc, state) {
    var geo = L.geoJSON(lc.data, {
      style: function (f) { return styleFor(cfg, lc, f.properties || {}); },
      pointToLayer: function (f, latlng) {
        var s = styleFor(cfg, lc, f.properties || {});
        s.radius = lc.radius;
        s.fill = true;
        if (s.fillOpacity < 0.3) { s.fillOpacity = 0.3; }
        return L.circleMarker(latlng, s);
      },
      onEachFeature: function (f, layer) {
        var props = f.properties || {};
        layer.bindPopup(function () { return popupElement(cfg, lc, props); },
                        {maxWidth: 380, className: 'zlt-popup-wrap'});
        var name = lc.nameField ? props[lc.nameField] : null;
        if (!isBlank(name)) {
          layer.bindTooltip(function () { return el('span', 'zlt-tip', name); },
                            {sticky: true, direction: 'top'});
          state.index.push({name: String(name), layer: layer, key: lc.key, title: lc.title});
        }
      }
    });
    var container = geo;
    if (lc.cluster && typeof L.markerClusterGroup === 'function') {
      container = L.markerClusterGroup({
        chunkedLoading: true, showCoverageOnHover: false, disableClusteringAtZoom: 15,
        maxClusterRadius: 30
      });
      container.addLayers(geo.getLayers());
    }
    if (lc.visible) { container.addTo(map); }
    state.layers[lc.key] = {
      key: lc.key, group: lc.group, title: lc.title, container: container, geo: geo,
      count: geo.getLayers().length, clustered: container !== geo
    };
    return state.layers[lc.key];
  }

  function layerSwitcher(map, cfg, state) {
    var Ctl = L.Control.extend({
      options: {position: 'topright'},
      onAdd: function () {
        var div = el('div', 'zlt-layers leaflet-bar');
        var head = el('button', 'zlt-layers-toggle', cfg.text.layers);
        head.type = 'button';
        var body = el('div', 'zlt-layers-body');
        head.addEventListener('click', function () {
          body.style.display = body.style.display === 'none' ? '' : 'none';
        });
        div.appendChild(head);
        div.appendChild(body);
        cfg.groups.forEach(function (g) {
          var members = g.layers.filter(function (k) { return state.layers[k]; });
          if (!members.length) { return; }
          var gbox = el('div', 'zlt-group');
          gbox.setAttribute('data-group', g.key);
          var glab = el('label', 'zlt-group-title');
          var gcb = el('input');
          gcb.type = 'checkbox';
          glab.appendChild(gcb);
          glab.appendChild(el('span', null, g.title));
          gbox.appendChild(glab);
          var boxes = [];
          function syncGroup() {
            var on = boxes.filter(function (b) { return b.checked; }).length;
            gcb.checked = on === boxes.length;
            gcb.indeterminate = on > 0 && on < boxes.length;
          }
          members.forEach(function (k) {
            var st = state.layers[k];
            var lab = el('label', 'zlt-layer-row');
            var cb = el('input');
            cb.type = 'checkbox';
            cb.checked = map.hasLayer(st.container);
            cb.setAttribute('data-layer', k);
            cb.addEventListener('change', function () {
              if (cb.checked) { map.addLayer(st.container); } else { map.removeLayer(st.container); }
              syncGroup();
            });
            lab.appendChild(cb);
            lab.appendChild(el('span', null, st.title + ' (' + st.count + ')'));
            gbox.appendChild(lab);
            boxes.push(cb);
          });
          gcb.addEventListener('change', function () {
            boxes.forEach(function (b) {
              if (b.checked !== gcb.checked) {
                b.checked = gcb.checked;
                b.dispatchEvent(new Event('change'));
              }
            });
            syncGroup();
          });
          syncGroup();
          body.appendChild(gbox);
        });
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    return new Ctl().addTo(map);
  }

  function legendControl(map, cfg) {
    var Ctl = L.Control.extend({
      options: {position: 'bottomright'},
      onAdd: function () {
        var div = el('div', 'zlt-legend');
        // legendHtml is built and escaped by zlt_assets/maps/legend.py from schema labels only
        div.innerHTML = cfg.legendHtml;
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    return new Ctl().addTo(map);
  }

  function titleBlock(map, cfg) {
    var box = el('div', 'zlt-title');
    box.appendChild(el('div', 'zlt-title-main', cfg.title.main));
    cfg.title.lines.forEach(function (line) {
      box.appendChild(el('div', 'zlt-title-line' + (line.warn ? ' zlt-warn' : ''), line.text));
    });
    L.DomEvent.disableClickPropagation(box);
    L.DomEvent.disableScrollPropagation(box);
    // first in the top-left corner, above zoom, full screen, measure and search
    var corner = map.getContainer().querySelector('.leaflet-top.leaflet-left');
    box.className += ' leaflet-control';
    corner.insertBefore(box, corner.firstChild);
    return box;
  }

  function goTo(map, state, entry) {
    var st = state.layers[entry.key];
    if (st && !map.hasLayer(st.container)) {
      map.addLayer(st.container);
      var cb = document.querySelector('input[data-layer="' + entry.key + '"]');
      if (cb) { cb.checked = true; }
    }
    var layer = entry.layer;
    if (st && st.clustered) {
      // zoom past the clustering and open the popup on the map itself: the marker may still be
      // inside a cluster while the clusters are rebuilt
      var ll = layer.getLatLng();
      map.setView(ll, Math.max(map.getZoom(), 17), {animate: false});
      var popup = layer.getPopup();
      if (popup) { popup.setLatLng(ll); map.openPopup(popup); }
      return;
    }
    if (layer.getBounds) {
      map.fitBounds(layer.getBounds(), {maxZoom: 17});
    } else {
      map.setView(layer.getLatLng(), Math.max(map.getZoom(), 17));
    }
    layer.openPopup();
  }

  function searchControl(map, cfg, state) {
    var Ctl = L.Control.extend({
      options: {position: 'topleft'},
      onAdd: function () {
        var div = el('div', 'zlt-search leaflet-bar');
        var input = el('input', 'zlt-search-input');
        input.type = 'search';
        input.placeholder = cfg.text.search;
        input.setAttribute('aria-label', cfg.text.search);
        var list = el('ul', 'zlt-search-results');
        div.appendChild(input);
        div.appendChild(list);
        input.addEventListener('input', function () {
          while (list.firstChild) { list.removeChild(list.firstChild); }
          var q = input.value.trim().toLowerCase();
          if (!q) { return; }
          var hits = state.index.filter(function (e) {
            return e.name.toLowerCase().indexOf(q) >= 0;
          }).slice(0, 12);
          if (!hits.length) { list.appendChild(el('li', 'zlt-search-none', cfg.text.noMatch)); }
          hits.forEach(function (e) {
            var li = el('li', 'zlt-search-hit');
            li.appendChild(el('span', 'zlt-search-name', e.name));
            li.appendChild(el('span', 'zlt-search-layer', ' · ' + e.title));
            li.addEventListener('click', function () { goTo(map, state, e); });
            list.appendChild(li);
          });
        });
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    return new Ctl().addTo(map);
  }

  // leaflet-measure draws its vertices as SVG paths (it sets attributes on layer._path); the map
  // renders on canvas (prefer_canvas), so give the measure layers an SVG renderer of their own.
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

  // default marker icons from the inlined images (Leaflet would look for files beside the page)
  function setDefaultIcons(icons) {
    if (!icons || !L.Icon || !L.Icon.Default) { return; }
    L.Icon.Default.imagePath = '';
    L.Icon.Default.mergeOptions({
      iconUrl: icons.icon, iconRetinaUrl: icons.iconRetina, shadowUrl: icons.shadow
    });
  }

  window.zltMeetingMap = function (map, cfg) {
    setDefaultIcons(cfg.icons);
    var state = {layers: {}, index: [], config: cfg};
    // marker clusters need a maximum zoom even when the map has no tile layer
    if (map.options.maxZoom === undefined) { map.setMaxZoom(cfg.maxZoom || 19); }
    cfg.layers.forEach(function (lc) { buildLayer(map, cfg, lc, state); });
    titleBlock(map, cfg);
    searchControl(map, cfg, state);
    layerSwitcher(map, cfg, state);
    legendControl(map, cfg);
    if (cfg.bounds) {
      map.fitBounds(cfg.bounds, {padding: [20, 20]});
    }
    state.search = function (q) {
      q = String(q).toLowerCase();
      return state.index.filter(function (e) { return e.name.toLowerCase().indexOf(q) >= 0; });
    };
    state.goTo = function (entry) { goTo(map, state, entry); };
    window.zltMap = state;
    return state;
  };
}());
