"""The public site (issue 6): pages, feeds, site maps, English, page cache, visit statistics, and
accessibility checked by axe-core in Chromium."""
