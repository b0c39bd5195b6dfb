// Starts GOV.UK Frontend's components. Loaded as a module from base.html, so
// no inline script is needed (Content Security Policy: script-src 'self').
import { initAll } from "../build/govuk-frontend.min.js";

document.body.classList.add("js-enabled", "govuk-frontend-supported");
initAll();
