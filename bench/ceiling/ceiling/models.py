from django.db import models


class Category(models.Model):
    name = models.CharField(max_length=50)

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    category = models.ForeignKey(Category, on_delete=models.PROTECT)
    title = models.CharField(max_length=100)
    number = models.CharField(max_length=30)
    created = models.DateTimeField()

    def __str__(self) -> str:
        return self.title
