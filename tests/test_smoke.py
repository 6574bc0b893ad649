from django.urls import reverse


def test_schema_is_served(client, db):
    response = client.get(reverse("schema"))
    assert response.status_code == 200
    assert b"/api/s3/presigned-post" in response.content
