"""Developer tools (check, eval, bench, tune): read files and print; the bot never imports them."""
