import os

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from pagetojob.accounts import views as accounts_views
from pagetojob.accounts.forms import QueuedPasswordResetForm
from pagetojob.api import api
from pagetojob.core.views import healthz
from pagetojob.dashboard.views import dashboard
from pagetojob.drift import views as drift_views
from pagetojob.handoff import queue_views as handoff_queue_views
from pagetojob.handoff import views as handoff_views
from pagetojob.intake import form_views as intake_form_views
from pagetojob.intake import scheduling_views as intake_scheduling_views
from pagetojob.intake import settings_views as intake_settings_views
from pagetojob.intake import views as intake_views
from pagetojob.readiness import views as readiness_views
from pagetojob.sites import discovery_views
from pagetojob.sites import suggestion_views as sites_suggestions
from pagetojob.sites import views as sites_views
from pagetojob.taxonomy import import_views
from pagetojob.taxonomy import views as taxonomy_views
from pagetojob.titan import views as titan_views
from pagetojob.webhooks import views as webhook_views

workspace_patterns = [
    path("", dashboard, name="dashboard"),
    path("map/", sites_views.titan_map, name="titan-map"),
    path("map/export.csv", sites_views.export_map, name="titan-map-export"),
    path("map/approve/", sites_views.bulk_approve, name="titan-map-approve"),
    path("map/<int:page_id>/", sites_views.binding_detail, name="binding"),
    path("map/<int:page_id>/job-types/", sites_views.job_type_options, name="binding-job-types"),
    path("suggestions/", sites_suggestions.suggestion_list, name="suggestions"),
    path("suggestions/run/", sites_suggestions.run_suggestions, name="suggestions-run"),
    path("suggestions/accept/", sites_suggestions.accept_suggestions, name="suggestions-accept"),
    path("suggestions/<int:page_id>/reject/", sites_suggestions.reject_suggestion, name="suggestion-reject"),
    path("map/<int:page_id>/kind/", discovery_views.set_page_kind, name="page-kind"),
    path("map/<int:page_id>/claims/", sites_views.page_claims, name="page-claims"),
    path("map/import/", discovery_views.import_pages, name="import-pages"),
    path("map/import/<int:entry_id>/", discovery_views.import_result, name="import-pages-result"),
    path("taxonomy/<slug:family>/", taxonomy_views.family_list, name="taxonomy"),
    path("capacity/", sites_views.capacity_rules, name="capacity-rules"),
    path("imports/", import_views.import_list, name="imports"),
    path("imports/from-api/", import_views.import_from_api, name="import-from-api"),
    path("imports/from-api/runs/", import_views.import_api_runs, name="import-api-runs"),
    path("imports/<int:batch_id>/", import_views.batch_detail, name="import-batch"),
    path("imports/<int:batch_id>/progress/", import_views.batch_progress, name="import-progress"),
    path("imports/<int:batch_id>/columns/", import_views.batch_columns, name="import-columns"),
    path("imports/<int:batch_id>/decide/", import_views.batch_decide, name="import-decide"),
    path("imports/<int:batch_id>/rows/<int:candidate_id>/", import_views.candidate_edit, name="import-candidate"),
    path("requests/", intake_views.request_list, name="booking-requests"),
    path("requests/<int:request_id>/", intake_views.request_detail, name="booking-request"),
    path("requests/by-key/<slug:idempotency_key>/", intake_views.request_by_key, name="booking-request-by-key"),
    path("requests/<int:request_id>/status/", intake_views.request_status, name="booking-request-status"),
    path("requests/<int:request_id>/handoff/", handoff_views.handoff_screen, name="booking-handoff"),
    path("sync/", handoff_queue_views.sync_queue, name="sync-queue"),
    path("sync/release/", handoff_queue_views.release_held, name="sync-release"),
    path("sync/<int:job_id>/", handoff_queue_views.sync_job_detail, name="sync-job"),
    path("sync/<int:job_id>/action/", handoff_queue_views.sync_job_action, name="sync-job-action"),
    path("website-form/", intake_settings_views.website_form, name="website-form"),
    path("scheduling-pro/", intake_scheduling_views.scheduling_pro, name="scheduling-pro"),
    path("drift/", drift_views.drift_report, name="drift"),
    path("drift/run/", drift_views.run_review, name="drift-run"),
    path("drift/progress/", drift_views.review_progress, name="drift-progress"),
    path("drift/export.csv", drift_views.export_csv, name="drift-export"),
    path("drift/report.html", drift_views.export_html, name="drift-report-html"),
    path("drift/reviews/<int:review_id>/", drift_views.review_detail, name="drift-review"),
    path("drift/findings/<int:finding_id>/", drift_views.finding_action, name="drift-finding"),
    path("drift/zones/", drift_views.zones, name="zone-review"),
    path("readiness/", readiness_views.readiness_page, name="readiness"),
    path("readiness/module/", readiness_views.save_module, name="readiness-module"),
    path("readiness/gate/", readiness_views.save_gate, name="readiness-gate"),
    path("readiness/flag/", readiness_views.save_flag, name="readiness-flag"),
    path("readiness/webhooks/validate/", readiness_views.validate_webhooks, name="readiness-webhooks-validate"),
    path("webhooks/", webhook_views.event_log, name="webhook-events"),
    path("webhooks/settings/", webhook_views.webhook_settings, name="webhook-settings"),
    path("settings/servicetitan/", titan_views.connection_page, name="titan-connection"),
    path("settings/servicetitan/test/", titan_views.test_view, name="titan-test"),
    path("settings/servicetitan/disconnect/", titan_views.disconnect_view, name="titan-disconnect"),
    path("people/", accounts_views.team_page, name="team"),
    path("people/<int:member_id>/", accounts_views.change_member, name="change-member"),
    path("audit/", accounts_views.audit_log, name="audit-log"),
]

urlpatterns = [
    path("", accounts_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("embed.js", intake_form_views.embed_js, name="embed-js"),
    path("f/<slug:site_key>/", intake_form_views.hosted_form, name="hosted-form"),
    path("f/<slug:site_key>/p/<int:page_id>/", intake_form_views.hosted_form, name="hosted-form-page"),
    path("switch/", accounts_views.switch_workspace, name="switch-workspace"),
    path("w/<slug:key>/", include(workspace_patterns)),
    path("invitations/<str:token>/", accounts_views.accept_invitation, name="accept-invitation"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(form_class=QueuedPasswordResetForm),
         name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if os.environ.get("PAGETOJOB_BENCH_FLOOR") == "1":  # benchmarks/intake_load.py only: a one-row-insert floor
    from pagetojob.intake import bench_views

    urlpatterns.append(path("bench/floor", bench_views.insert_one_row, name="bench-floor"))
