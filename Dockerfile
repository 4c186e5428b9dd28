# persona-gen as a container: a plain `pip install .` on a slim Python base.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . && rm -rf /src

WORKDIR /app
# The compose file mounts the project's own folders over these.
COPY personas ./personas
COPY profiles ./profiles
COPY schemas ./schemas
RUN mkdir -p /app/output

ENTRYPOINT ["persona-gen"]
CMD ["--help"]
