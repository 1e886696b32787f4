// Starts Swagger UI on /api/docs from the vendored bundle (no inline script: the CSP forbids it).
const root = document.getElementById("swagger-ui");
window.ui = window.SwaggerUIBundle({
  url: root.dataset.openapi,
  dom_id: "#swagger-ui",
  deepLinking: true,
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: "BaseLayout",
  validatorUrl: null, // no badge from validator.swagger.io: nothing leaves this machine
});
