"""How the words citizens type are read before matching: Finglish (Persian in Latin letters) as
Persian words, and spoken verb forms as the written forms hazm's lemmatizer knows."""
