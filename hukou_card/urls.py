app_name = "hukou_card"

urlpatterns: list = []
