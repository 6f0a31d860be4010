//! The web app (placeholder; see ARCHITECTURE.md, "Web app").
