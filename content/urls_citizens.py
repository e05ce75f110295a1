"""Public URLs of citizens' questions and consultations on drafts (included at the portal's root).

Names are global (no namespace) because the CAPTCHA's own URLs, included here, are reversed by
django-simple-captcha under their plain names.
"""

from django.urls import include, path

from content import views_citizens as views

urlpatterns = [
    path("hoi-dap/", views.question_list, name="questions"),
    path("hoi-dap/gui-cau-hoi/", views.question_ask, name="question-ask"),
    path("hoi-dap/<int:pk>/", views.question_detail, name="question-detail"),
    path("gop-y-du-thao/", views.consultation_list, name="consultations"),
    path("gop-y-du-thao/<slug:slug>/", views.consultation_detail, name="consultation-detail"),
    path("gop-y-du-thao/<slug:slug>/gop-y/", views.consultation_comment, name="consultation-comment"),
    path("captcha/", include("captcha.urls")),
]
