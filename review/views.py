"""Views: parse input, call one service, render."""
