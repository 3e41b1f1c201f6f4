"""The original platform's user-facing error, under its old name.

    from tool_errors import ToolUserError
    raise ToolUserError("Filtypen stöds inte.")   # the run fails with exactly this message

The same class as skriptoteket.ToolUserError: the message is stripped and a blank one becomes
"Ett fel inträffade."; it is shown to the user as the run's error, without a traceback.
"""
from skriptoteket import ToolUserError

__all__ = ["ToolUserError"]
