// The query page: line numbers, examples, running a query with fetch, results as a table.
// Plain JavaScript served by the service itself: nothing is loaded from elsewhere.
(function () {
  "use strict";
  const script = document.currentScript;
  const editor = document.getElementById("query");
  const gutter = document.getElementById("gutter");
  const examplePicker = document.getElementById("example");
  const exampleDescription = document.getElementById("example-description");
  const status = document.getElementById("status");
  const results = document.getElementById("results");
  const examples = JSON.parse(document.getElementById("examples").textContent);
  const endpoint = document.getElementById("query-form").getAttribute("action");

  function numberLines() {
    const count = editor.value.split("\n").length;
    let numbers = "";
    for (let line = 1; line <= count; line += 1) numbers += line + "\n";
    gutter.textContent = numbers;
    gutter.scrollTop = editor.scrollTop;
  }

  function loadExample() {
    const example = examples.find((e) => e.name === examplePicker.value);
    if (!example) return;
    editor.value = example.text;
    exampleDescription.textContent = example.description +
      (example.parameters.length ? " Unbound here: " + example.parameters.map((p) => "?" + p).join(", ") +
        " (bind them at /queries/" + example.name + ")." : "");
    numberLines();
  }

  function cell(term) {
    const td = document.createElement("td");
    if (!term) return td;
    if (term.type === "uri") {
      const link = document.createElement("a");
      link.href = term.value;
      link.textContent = term.value;
      td.appendChild(link);
    } else {
      td.textContent = term.type === "bnode" ? "_:" + term.value : term.value;
      if (term["xml:lang"]) td.lang = term["xml:lang"];
    }
    return td;
  }

  function showTable(answer) {
    const vars = answer.head.vars;
    const table = document.createElement("table");
    const caption = document.createElement("caption");
    caption.textContent = answer.results.bindings.length + " result(s)";
    table.appendChild(caption);
    const headRow = table.createTHead().insertRow();
    vars.forEach((name) => {
      const th = document.createElement("th");
      th.scope = "col";
      th.textContent = "?" + name;
      headRow.appendChild(th);
    });
    const body = table.createTBody();
    answer.results.bindings.forEach((binding) => {
      const row = body.insertRow();
      vars.forEach((name) => row.appendChild(cell(binding[name])));
    });
    results.replaceChildren(table);
  }

  function showText(text) {
    const pre = document.createElement("pre");
    pre.textContent = text;
    results.replaceChildren(pre);
  }

  async function run() {
    status.textContent = "Running…";
    results.replaceChildren();
    const started = performance.now();
    try {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Accept": "application/sparql-results+json, text/turtle;q=0.9",
        },
        body: new URLSearchParams({ query: editor.value }),
      });
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      const type = response.headers.get("Content-Type") || "";
      if (!response.ok) {
        status.textContent = "Error " + response.status + ": " + (await response.text());
        return;
      }
      const truncated = response.headers.get("X-Iacai-Result-Truncated") === "true";
      status.textContent = "Answered in " + seconds + " s" +
        (truncated ? "; the result-row cap was reached, later rows are not shown." : ".");
      if (type.startsWith("application/sparql-results+json")) {
        const answer = await response.json();
        if ("boolean" in answer) showText(String(answer.boolean));
        else showTable(answer);
      } else {
        showText(await response.text());
      }
    } catch (error) {
      status.textContent = "The request failed: " + error;
    }
  }

  editor.addEventListener("input", numberLines);
  editor.addEventListener("scroll", () => { gutter.scrollTop = editor.scrollTop; });
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      run();
    }
  });
  examplePicker.addEventListener("change", loadExample);
  document.getElementById("run").addEventListener("click", run);
  numberLines();
  if (script && script.dataset.runAtOnce === "true") run();
})();
