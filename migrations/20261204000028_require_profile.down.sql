drop function lms_private.require_profile();
