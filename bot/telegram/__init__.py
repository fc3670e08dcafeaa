"""The Telegram shell over the core: the only package that imports `telegram`.

One module per concern:
  app        - build the Application, run it (polling or webhook), start-up errors, stopping;
  handlers   - the callbacks: read the update, ask the engine, send what it composed;
  inline     - inline mode: @bot <question> in any chat offers the matching curated answers;
  send       - sending and editing HTML in parts Telegram accepts, with buttons;
  keyboards  - the buttons of a reply, as plain records (pure);
  addressing - which messages in a group are for the bot;
  flood      - per-user flood control, applied before any handler;
  updates    - update order: one chat's updates in turn, chats side by side;
  limits     - pacing within Telegram's per-chat limits, 429s and safe retries;
  state      - per-chat conversation state, bounded, optionally kept across restarts;
  services   - the shared objects handlers reach through bot_data;
  logs       - one line per update, pseudonymous chat ids, the token never logged.
"""
