# A slim, non-root image. Redis runs beside it (docker-compose.yml), never inside.
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN useradd --create-home --uid 10001 hearth
COPY --from=build /install /usr/local
WORKDIR /app
COPY --chown=hearth:hearth prompts ./prompts
COPY --chown=hearth:hearth bot ./bot
COPY --chown=hearth:hearth adapters ./adapters
USER hearth
EXPOSE 3000
ENTRYPOINT ["python", "-m", "bot"]
