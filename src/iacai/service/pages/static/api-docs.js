// /docs: Swagger UI (served by this service, never from a CDN) on this service's OpenAPI document,
// made to pass axe-core: no deep links (Swagger UI puts them inside each operation's button, a
// link nested in a control), and its title one level under the page's own h1.
(function () {
  "use strict";
  const root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.dataset.openapi,
    domNode: root,
    deepLinking: false,
    presets: [window.SwaggerUIBundle.presets.apis],
  });
  const demote = () => {
    for (const title of root.querySelectorAll("h1:not([aria-level])")) {
      title.setAttribute("aria-level", "2");
    }
  };
  new MutationObserver(demote).observe(root, { childList: true, subtree: true });
})();
