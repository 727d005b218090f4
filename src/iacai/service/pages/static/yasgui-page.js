// The query page on YASGUI (@zazuko/yasgui, vendored by scripts/fetch-yasgui): this service's
// endpoint only, the project's prefixes and terms for completion (nothing fetched from elsewhere),
// the predeclared prefixes taken as declared by the editor's syntax check, the named queries as
// examples, IRIs of this dataset linked to their local pages, and the query kept in the address
// bar.
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

  // The service predeclares the project's prefixes, so a query may use them without PREFIX
  // lines. YASQE's tokenizer (the CodeMirror mode "sparql11") marks a prefixed name whose
  // prefix its state does not hold ("Prefix 'x' is not defined"), and every parse starts from
  // an empty set, with no option to seed it. So the editor gets a mode of its own: the same
  // tokenizer, its start state already holding the predeclared prefixes; a query's own PREFIX
  // lines still add to them, and any other prefix is still marked. (YASQE reads the query's
  // prefixes from that state too, so it no longer adds PREFIX lines for predeclared ones.)
  Yasqe.defineMode("sparql11-predeclared", (editorConfig) => {
    const sparql = Yasqe.getMode(editorConfig, "sparql11");
    return Object.assign({}, sparql, {
      startState: () => {
        const state = sparql.startState();
        Object.assign(state.prefixes, config.prefixes);
        return state;
      },
    });
  });

  const yasgui = new window.Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    persistenceId: null,
    yasqe: { value: config.query, prefixCcApi: null, mode: "sparql11-predeclared" },
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

  // Keep the query in the address bar, as run or as picked from the examples:
  // /sparql?query=... reopens this page with it.
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
    rememberQuery();
    document.getElementById("example-description").textContent = example.description +
      (example.parameters.length ? " Unbound here: " + example.parameters.map((p) => "?" + p)
        .join(", ") + " (bind them at /queries/" + example.name + ")." : "");
  });

  if (config.runAtOnce) tab().query();
})();
