from django.urls import path

from . import views

app_name = "memberships"

urlpatterns = [
    path("", views.MembershipTypeListView.as_view(), name="types"),
    path("types/new/", views.MembershipTypeCreateView.as_view(), name="type_create"),
    path("types/<int:pk>/edit/", views.MembershipTypeUpdateView.as_view(), name="type_edit"),
    path("types/delete/", views.MembershipTypeDeleteView.as_view(), name="type_delete"),
    path("plans/", views.MembershipPlanListView.as_view(), name="plans"),
    path("plans/new/", views.MembershipPlanCreateView.as_view(), name="plan_create"),
    path("plans/<int:pk>/edit/", views.MembershipPlanUpdateView.as_view(), name="plan_edit"),
    path("plans/delete/", views.MembershipPlanDeleteView.as_view(), name="plan_delete"),
    path("accounts/", views.MembershipAccountListView.as_view(), name="accounts"),
    path("accounts/new/", views.MembershipAccountCreateView.as_view(), name="account_create"),
    *views.MEMBERSHIP_ACCOUNTS.get_urls(),
    path("accounts/<int:pk>/members/", views.MemberAddView.as_view(), name="member_add"),
    path(
        "accounts/<int:pk>/members/remove/",
        views.MemberRemoveView.as_view(),
        name="member_remove",
    ),
]
