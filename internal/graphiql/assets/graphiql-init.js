// Bootstraps the embedded GraphiQL IDE (ptdv/internal/graphiql).
// Configuration is injected server-side as JSON in
// <script id="graphiql-config" type="application/json">; this file is static
// so that the page's Content-Security-Policy can forbid inline scripts.
(function () {
  'use strict';

  var root = document.getElementById('graphiql');
  function fail(msg) {
    root.textContent = 'GraphiQL failed to start: ' + msg;
  }

  var cfg = {};
  try {
    var el = document.getElementById('graphiql-config');
    cfg = JSON.parse((el && el.textContent) || '{}') || {};
  } catch (e) {
    fail('invalid configuration: ' + e);
    return;
  }
  if (typeof window.React === 'undefined' || typeof window.ReactDOM === 'undefined' || typeof window.GraphiQL === 'undefined') {
    fail('assets did not load (React, ReactDOM or GraphiQL missing)');
    return;
  }

  // Resolve the endpoint against the page URL so that relative endpoints work
  // wherever the handler is mounted.
  var url = new URL(cfg.endpoint || '/graphql', document.baseURI).href;

  var props = {
    fetcher: GraphiQL.createFetcher({ url: url }),
  };
  if (cfg.defaultQuery) {
    props.defaultQuery = cfg.defaultQuery;
  }
  if (cfg.defaultHeaders) {
    // Prefills the headers editor (for the first tab, every new tab and every
    // tab restored from storage whose headers were not persisted); the user
    // can edit or remove it. Headers are only persisted in localStorage if the
    // user turns that on in GraphiQL's settings.
    props.defaultHeaders = cfg.defaultHeaders;
    props.defaultEditorToolsVisibility = 'headers';
  }

  ReactDOM.createRoot(root).render(React.createElement(GraphiQL, props));
})();
