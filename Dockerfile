# The Telegram bot in a container: long polling by default, a webhook with WEBHOOK_URL.
#   docker build -t cysteine-bot .
#   docker run -d --name cysteine-bot -e TELEGRAM_BOT_TOKEN=123456:ABC... cysteine-bot
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PTB_TIMEDELTA=1 \
    CYSTEINE_BOT_CACHE=/app/cache

WORKDIR /app

# Dependencies before the source: this layer is rebuilt only when pyproject.toml changes.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > requirements.txt \
 && pip install -r requirements.txt

COPY bot/ bot/
COPY knowledge.yaml ./
COPY intents/ intents/

# Run as an unprivileged user; /app/state is where STATE_FILE may point and /app/data is
# DATA_DIR: the delivery store (updates and replies not yet done, sent by the next start) and
# the inbox of unanswered questions (mount volumes to keep them). /app/cache is the start-up
# cache (bot/startcache.py), filled by the check below.
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin bot \
 && mkdir -p /app/state /app/data /app/cache \
 && chown bot /app/state /app/data /app/cache \
 && chmod 0700 /app/data /app/cache
USER bot

# Validate the curated content at build time: bad content fails the build, not the bot. As the
# bot's user, so that the start-up cache it fills is the bot's own.
RUN python -m bot check

# Webhook mode listens on PORT (8443 unless set); long polling needs no port.
EXPOSE 8443

# Exec form: Python is PID 1 and gets SIGTERM itself, so `docker stop` stops taking updates,
# sends replies for up to 3 s, keeps the rest in /app/data and exits within 5 s.
CMD ["python", "-m", "bot"]
