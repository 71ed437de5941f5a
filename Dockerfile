# Japri: a slim image that runs the webhook gateway as a non-root user.
#   docker build -t japri .
#   docker run -p 8000:8000 -v japri-data:/data -e TELEGRAM_BOT_TOKEN=... japri
# The config, the FAQ and the SQLite database live on the /data volume; on first start the
# shipped config.yaml and faq/faq.yaml are copied there for you to edit.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY faq ./faq
COPY flows ./flows
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
RUN useradd --create-home --uid 10001 japri && mkdir /data && chown japri /data
COPY --from=build /install /usr/local
COPY config.yaml /opt/japri/config.yaml
COPY faq/faq.yaml /opt/japri/faq/faq.yaml
USER japri
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s \
  CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"
CMD ["sh", "-c", "[ -f config.yaml ] || cp -r /opt/japri/. /data/; exec japri serve --config /data/config.yaml --host 0.0.0.0 --port 8000"]
