# The portal's image for docker-compose: one image for web, worker and beat.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk gettext \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input -v0
# web runs collectstatic into the static volume at start (docker-compose.yml).
RUN useradd --system --home /app nanxi && mkdir -p /app/media /app/var/static \
 && chown -R nanxi /app/media /app/var/static
USER nanxi
EXPOSE 8000
CMD ["gunicorn", "nanxi.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
