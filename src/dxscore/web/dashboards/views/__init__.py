"""The dashboards' pages, one module per kind: public pages of published runs, the
public-service dashboard (staff) and the what-if simulator (staff)."""
