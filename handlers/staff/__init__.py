"""What staff do in the bot: curate answers, see the figures, publish announcements, answer
handed-off citizens. Every command checks the role first (``auth``).
"""
