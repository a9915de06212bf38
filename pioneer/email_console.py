"""The console e-mail backend of `make run`: each e-mail printed as a reader sees it.

Django's console backend prints the raw MIME message: a subject with umlauts comes out as
"=?utf-8?q?...?=", bodies as quoted-printable or base64, and the HTML part follows the text.
This one prints sender, recipients and subject in clear and the decoded text part, framed,
on standard output. The development server writes its request log to standard error, so
the two never interleave within a line and can be parted (`make run 2>requests.log`).
"""

import sys

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend

RULE = "=" * 78


class EmailBackend(DjangoConsoleBackend):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("stream", sys.stdout)
        super().__init__(*args, **kwargs)

    def write_message(self, message):
        lines = [
            "",
            f"{RULE}",
            "E-MAIL (not sent: printed by the development set-up)",
            f"From:    {message.from_email}",
            f"To:      {', '.join(message.to)}",
        ]
        if message.cc:
            lines.append(f"Cc:      {', '.join(message.cc)}")
        if message.reply_to:
            lines.append(f"Reply-To: {', '.join(message.reply_to)}")
        lines.append(f"Subject: {message.subject}")
        alternatives = [mimetype for _, mimetype in getattr(message, "alternatives", [])]
        if alternatives:
            lines.append(f"(also sent as {', '.join(alternatives)}; the text part follows)")
        lines += ["-" * 78, str(message.body).rstrip(), RULE, ""]
        self.stream.write("\n".join(lines) + "\n")
