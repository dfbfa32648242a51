app_name = "neworgs"

urlpatterns: list = []
