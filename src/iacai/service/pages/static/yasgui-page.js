// The query page on YASGUI (@zazuko/yasgui, vendored by scripts/fetch-yasgui): this service's
// endpoint only, the project's prefixes and terms for completion (nothing fetched from elsewhere),
// the named queries as examples, IRIs of this dataset linked to their local pages, and the query
// kept in the address bar.
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("yasgui-config").textContent);
  const examples = JSON.parse(document.getElementById("examples").textContent);
  const endpoint = new URL(config.endpoint, window.location.href).href;
  const Yasqe = window.Yasgui.Yasqe;

  // Completion from what this page was given, never from prefix.cc or LOV.
  const prefixLines = Object.entries(config.prefixes).map(([p, ns]) => p + ": <" + ns + ">");
  Yasqe.forkAutocompleter("prefixes", {
    name: "localPrefixes", persistenceId: null, get: () => Promise.resolve(prefixLines),
  });
  Yasqe.forkAutocompleter("property", {
    name: "localProperties", persistenceId: null, bulk: true,
    get: () => Promise.resolve(config.properties),
  });
  Yasqe.forkAutocompleter("class", {
    name: "localClasses", persistenceId: null, bulk: true,
    get: () => Promise.resolve(config.classes),
  });
  Yasqe.defaults.autocompleters = ["localPrefixes", "variables", "localProperties", "localClasses"];

  const yasgui = new window.Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    persistenceId: null,
    yasqe: { value: config.query, prefixCcApi: null },
    yasr: { prefixes: config.prefixes, defaultPlugin: "table" },
  });
  window.iacaiYasgui = yasgui;

  function tab() { return yasgui.getTab(); }

  // Names for YASGUI's unlabelled controls; its tabs as plain links, since the list that should
  // be a tablist also holds the "new tab" button (what axe-core asks of it).
  function label() {
    const root = document.getElementById("yasgui");
    root.querySelectorAll("textarea:not([aria-label])").forEach((area) => {
      area.setAttribute("aria-label", "SPARQL query");
    });
    root.querySelectorAll("input.autocomplete:not([aria-label])").forEach((input) => {
      input.setAttribute("aria-label", "SPARQL endpoint");
    });
    root.querySelectorAll(".tabsList[role]").forEach((list) => list.removeAttribute("role"));
    root.querySelectorAll(".tabsList [role='tab']").forEach((tabLink) => {
      tabLink.removeAttribute("role");
      tabLink.removeAttribute("aria-selected");
    });
  }
  label();
  yasgui.on("tabAdd", label);
  yasgui.on("tabSelect", () => window.setTimeout(label));

  // Keep the query in the address bar: /sparql?query=... reopens this page with it.
  function rememberQuery() {
    const params = new URLSearchParams({ query: tab().getQuery() });
    window.history.replaceState(null, "", window.location.pathname + "?" + params.toString());
  }
  yasgui.on("query", rememberQuery);

  // IRIs of the dataset served here open their local pages, not the canonical host.
  function localise(root) {
    root.querySelectorAll("a[href^='" + config.base + "']").forEach((link) => {
      link.href = "/" + link.getAttribute("href").slice(config.base.length);
      link.removeAttribute("target");
    });
  }
  new MutationObserver(() => localise(document.getElementById("yasgui")))
    .observe(document.getElementById("yasgui"), { childList: true, subtree: true });

  const picker = document.getElementById("example");
  picker.addEventListener("change", () => {
    const example = examples.find((e) => e.name === picker.value);
    if (!example) return;
    tab().setQuery(example.text);
    document.getElementById("example-description").textContent = example.description +
      (example.parameters.length ? " Unbound here: " + example.parameters.map((p) => "?" + p)
        .join(", ") + " (bind them at /queries/" + example.name + ")." : "");
  });

  if (config.runAtOnce) tab().query();
})();
