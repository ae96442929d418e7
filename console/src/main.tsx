import { render } from "preact";
import { App } from "./app";
import { startFirebase } from "./firebase";

startFirebase().then(
  (services) => render(<App services={services} />, document.getElementById("app")!),
  (err) => {
    document.getElementById("app")!.innerHTML = `<div class="error" role="alert">The console could not start: ${String(err?.message ?? err).replace(/</g, "&lt;")}</div>`;
  },
);
