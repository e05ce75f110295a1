"""The public site's addresses on a portal's host (issue 6). Other parts link to these paths."""

from django.urls import path

from content.public import views
from content.public.cache import public_page
from content.public.feeds import DocumentFeed, SectionFeed

urlpatterns = [
    path("", views.home, name="home"),
    path("chuyen-muc/<slug:slug>/", views.section_detail, name="public-section"),
    path("tin-tuc/<slug:slug>/", views.article_detail, name="public-article"),
    path("tin-tuc/<slug:slug>/tai-ve/", views.article_download, name="public-article-download"),
    path("van-ban/", views.document_list, name="public-documents"),
    path("van-ban/<int:pk>/", views.document_detail, name="public-document"),
    path("gioi-thieu/", views.page_index, name="public-pages"),
    path("gioi-thieu/<slug:slug>/", views.page_detail, name="public-page"),
    path("thong-bao/", views.announcement_list, name="public-announcements"),
    path("thong-bao/<slug:slug>/", views.announcement_detail, name="public-announcement"),
    path("lich-cong-tac/", views.schedule, name="public-schedule"),
    path("lien-ket/", views.links, name="public-links"),
    path("so-do-cong/", views.site_map, name="public-site-map"),
    path("sitemap.xml", views.sitemap_xml, name="public-sitemap-xml"),
    path("robots.txt", views.robots_txt, name="public-robots"),
    path("rss/chuyen-muc/<slug:slug>/", public_page(SectionFeed()), name="public-feed-section"),
    path("rss/van-ban/", public_page(DocumentFeed()), name="public-feed-documents"),
    path("ngon-ngu/<str:language>/", views.language_switch, name="public-language"),
]
