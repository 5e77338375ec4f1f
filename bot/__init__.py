"""The Discord adapter: the discord.py client, its cogs, and Discord rendering."""
