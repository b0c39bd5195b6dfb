"""Homeward's web pages, built with GOV.UK Frontend (without the GOV.UK crown,
logotype or typeface, which belong to GOV.UK itself).

- views.py: plain function views over the selectors and services only;
- forms.py: reading typed input (GOV.UK date input plus a 24-hour time, read
  as Europe/London) and the problems shown in the error summary;
- present.py: rows for the summary lists and tables;
- templates/web/components/: one Django include per GOV.UK component;
- assets/homeward.scss: compiled, with GOV.UK Frontend's JavaScript, into
  static/build/ by `npm ci && npm run build` (scripts/build-assets.mjs);
  static/homeward/init.js starts the components (no inline script).
"""
