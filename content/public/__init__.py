"""The public site every portal serves on its own host (issue 6).

- ``selectors``: the public reads — only ``live`` items and visible sections, ever;
- ``layout``: the header, menus and footer built from the portal's own data, cached per version;
- ``views``, ``feeds``, ``sitemaps``: the pages, RSS feeds, sitemap.xml and robots.txt;
- ``cache``: the anonymous page cache (per portal, host, language), invalidated by publication
  listeners and by changes to menus, sections and settings;
- ``stats``: visit counters in Redis (online now, today, total, per article).
"""
