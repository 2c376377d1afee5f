# The archiver image used by docker-compose.yml: every service runs the same image with
# another command (archiver migrate | run | worker | serve).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    ARCHIVER_HOME=/data

WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY archiver ./archiver
RUN pip install . \
 && useradd --create-home --uid 1000 archiver \
 && mkdir -p /data /app/config \
 && chown archiver /data

USER archiver
VOLUME ["/data"]
CMD ["archiver", "--help"]
