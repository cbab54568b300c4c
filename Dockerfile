# One image for web, worker and beat.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=config.settings
# portal-files: the group nginx's workers share with this user, so they can read the private files
# (0640) that web and worker write (PRIVATE_MEDIA_GROUP; deploy/nginx/Dockerfile, same number).
ARG PRIVATE_MEDIA_GID=1500
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-wqy-zenhei poppler-utils curl \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid "${PRIVATE_MEDIA_GID}" portal-files \
 && useradd --create-home --uid 1000 --groups portal-files portal
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install .
COPY . .
# collectstatic needs a secret key to import settings; the real one comes from the environment at run time.
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
 && mkdir -p /app/var/private /app/var/signing && chown -R portal:portal /app/var \
 && chgrp portal-files /app/var/private && chmod 2750 /app/var/private
USER portal
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--config", "deploy/gunicorn.conf.py"]
