from django.apps import AppConfig


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = "Forms and submissions"

    def ready(self) -> None:
        from documents.access import document_rule_register
        from submissions.access import documents_hidden_q

        document_rule_register(documents_hidden_q)
