using System.Globalization;
using System.Text;
using Aegir.Core.Errors;

namespace Aegir.Core.Platforms;

/// <summary>
/// Reads a PHP file that only holds data, as Aegir 3 writes its alias files and site drushrc.php (var_export):
/// assignments of literals (strings, numbers, true/false/null, arrays nested) to variables, and includes of a literal
/// path. Nothing is evaluated: a function call, a constant, concatenation, a heredoc, a variable inside a string or a
/// value is an error naming the file and line. A whole value may be another variable (Aegir's drushrc.php copies
/// $options into $_SERVER); the caller decides what to make of it.
/// </summary>
public sealed class PhpData
{
    /// <summary>Arrays nested deeper than this are refused: Aegir's files nest two or three deep.</summary>
    public const int MaxDepth = 32;

    /// <summary>A larger file is no alias file (Aegir's are a few kilobytes).</summary>
    public const int MaxBytes = 1 << 20;

    const string Fix = "Aegir writes these files as plain data ($aliases['name'] = array (...); or $options['key'] = '...';): put back the file Aegir wrote, or move this one out of the folder.";

    readonly string _text;
    readonly string _file;
    int _pos;

    PhpData(string text, string file)
    {
        _text = text;
        _file = file;
    }

    /// <summary>The statements of <paramref name="text"/>, read from <paramref name="file"/> (named in errors).</summary>
    public static IReadOnlyList<PhpStatement> Parse(string text, string file)
    {
        if (text.Length > MaxBytes) throw ErrorCatalog.Aegir3ContextUnread(file, 0, $"it is larger than {MaxBytes / 1024} KiB", Fix);
        return new PhpData(text, file).File();
    }

    IReadOnlyList<PhpStatement> File()
    {
        if (_text.StartsWith('\uFEFF')) _pos = 1;
        if (!Match("<?php") || (_pos < _text.Length && !char.IsWhiteSpace(_text[_pos])))
            throw Fail("it does not begin with <?php");
        var statements = new List<PhpStatement>();
        while (true)
        {
            Skip();
            if (_pos >= _text.Length) return statements;
            if (Match("?>"))
            {
                if (_text[_pos..].Trim().Length > 0) throw Fail("text follows the closing ?>");
                return statements;
            }
            if (Peek() == ';') { _pos++; continue; }
            statements.Add(Statement());
        }
    }

    PhpStatement Statement()
    {
        int line = Line(_pos);
        PhpStatement statement;
        if (Peek() == '$')
        {
            var target = Variable();
            Skip();
            if (!Match("=") || Peek() is '=' or '>') throw Fail("an assignment (=) was expected after " + target);
            Skip();
            var value = Peek() == '$' ? (object)Variable() : Value(0);
            statement = new PhpStatement(line, target, value);
        }
        else
        {
            int start = _pos;
            bool silenced = Match("@");
            var word = Identifier();
            if (word is null) throw Fail($"'{Show(start)}' is no assignment of data");
            if (word.ToLowerInvariant() is not ("include" or "include_once" or "require" or "require_once"))
                throw Fail(silenced ? $"'@{Short(word)}' is a function call, which is not read (nothing is run)" : Unexpected(word));
            Skip();
            bool paren = Match("(");
            Skip();
            if (Peek() is not ('\'' or '"')) throw Fail($"{word} names no plain path in quotes");
            var path = String();
            Skip();
            if (paren && !Match(")")) throw Fail($"{word}( is not closed");
            statement = new PhpStatement(line, null, null, path);
        }
        Skip();
        if (Peek() == '.') throw Fail("a value is joined to another (.), which is not read (nothing is evaluated)");
        if (!Match(";")) throw Fail("a ; was expected at the end of the statement");
        return statement;
    }

    /// <summary>$name followed by any number of [literal key].</summary>
    PhpReference Variable()
    {
        _pos++;   // $
        var name = Identifier() ?? throw Fail("a variable name was expected after $");
        var keys = new List<object>();
        while (true)
        {
            int save = _pos;
            Skip();
            if (!Match("["))
            {
                _pos = save;
                break;
            }
            Skip();
            if (Peek() == ']') throw Fail($"${Short(name)}[] appends, which is not read (give the key)");
            keys.Add(Key(Value(0)));
            Skip();
            if (!Match("]")) throw Fail("a ] was expected");
        }
        return new PhpReference(name, keys);
    }

    object? Value(int depth)
    {
        Skip();
        char c = Peek();
        if (c is '\'' or '"') return String();
        if (c == '<' && Match("<<<")) throw Fail("a heredoc is not read; write the value in quotes");
        if (c is '-' or '+' || char.IsAsciiDigit(c) || (c == '.' && char.IsAsciiDigit(Peek(1)))) return Number();
        if (c == '[') { _pos++; return Array(']', depth); }
        if (c == '$') throw Fail("a variable inside a value is not read (nothing is evaluated)");
        if (c == '(') throw Fail("an expression in brackets is not read (nothing is evaluated)");
        int start = _pos;
        var word = Identifier();
        if (word is null) throw Fail(_pos >= _text.Length ? "the file ends inside a value" : $"'{Show(start)}' is no value");
        switch (word.ToLowerInvariant())
        {
            case "true": return true;
            case "false": return false;
            case "null": return null;
            case "array":
                Skip();
                if (!Match("(")) throw Fail("array must be followed by (");
                return Array(')', depth);
            default:
                Skip();
                throw Fail(Unexpected(word));
        }
    }

    string Unexpected(string word)
    {
        word = Short(word);
        return Peek() == '(' ? $"'{word}(' is a function call, which is not read (nothing is run)"
            : Peek() == ':' && Peek(1) == ':' ? $"'{word}::' is a class constant, which is not read"
            : $"'{word}' is a constant or a word PHP would have to look up, which is not read; write the value in quotes";
    }

    /// <summary>At most the start of an offending token: a file that fails to parse may be one the user could not read.</summary>
    static string Short(string token) => token.Length > 24 ? token[..24] + "..." : token;

    PhpArray Array(char close, int depth)
    {
        if (depth + 1 > MaxDepth) throw Fail($"arrays are nested deeper than {MaxDepth}");
        var array = new PhpArray();
        while (true)
        {
            Skip();
            if (Match(close.ToString())) return array;
            if (_pos >= _text.Length) throw Fail("the file ends inside an array");
            var first = Value(depth + 1);
            Skip();
            if (Match("=>"))
            {
                var value = Value(depth + 1);
                array.Set(Key(first), value);
            }
            else array.Set(array.NextIndex, first);
            Skip();
            if (Peek() == '.') throw Fail("a value is joined to another (.), which is not read (nothing is evaluated)");
            if (Match(",")) continue;
            if (Match(close.ToString())) return array;
            if (_pos >= _text.Length) throw Fail("the file ends inside an array");
            throw Fail($"a , or {close} was expected in the array");
        }
    }

    /// <summary>A key as PHP stores it: a string of a decimal integer becomes that integer.</summary>
    object Key(object? key) => key switch
    {
        string s when long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n.ToString(CultureInfo.InvariantCulture) == s => n,
        string s => s,
        long n => n,
        bool b => b ? 1L : 0L,
        _ => throw Fail("an array key must be a string or a whole number"),
    };

    object Number()
    {
        int start = _pos;
        if (Peek() is '-' or '+') _pos++;
        int digits = _pos;
        while (char.IsAsciiDigit(Peek()) || Peek() == '_') _pos++;
        bool real = false;
        if (Peek() == '.' && char.IsAsciiDigit(Peek(1))) { real = true; _pos++; while (char.IsAsciiDigit(Peek())) _pos++; }
        if (Peek() is 'e' or 'E') { real = true; _pos++; if (Peek() is '-' or '+') _pos++; while (char.IsAsciiDigit(Peek())) _pos++; }
        var text = _text[start.._pos];
        if (char.IsAsciiLetter(Peek()) || text.Contains('_')) throw Fail($"'{Show(start)}' is no plain decimal number");
        if (_pos == digits) throw Fail("a number was expected");
        if (!real && _pos - digits > 1 && _text[digits] == '0') throw Fail($"{Short(text)} is an octal number in PHP; write it in quotes or without the leading 0");
        if (real) return double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : throw Fail($"{Short(text)} is too large a number");
    }

    string String()
    {
        char quote = _text[_pos];
        int start = _pos++;
        var value = new StringBuilder();
        while (true)
        {
            if (_pos >= _text.Length) { _pos = start; throw Fail("a string is not closed (its quote has no match)"); }
            char c = _text[_pos++];
            if (c == quote) return value.ToString();
            if (c == '\\' && _pos < _text.Length)
            {
                char e = _text[_pos];
                if (quote == '\'')
                {
                    if (e is '\\' or '\'') { value.Append(e); _pos++; }
                    else value.Append('\\');
                    continue;
                }
                _pos++;
                switch (e)
                {
                    case 'n': value.Append('\n'); break;
                    case 't': value.Append('\t'); break;
                    case 'r': value.Append('\r'); break;
                    case 'v': value.Append('\v'); break;
                    case 'e': value.Append('\x1b'); break;
                    case 'f': value.Append('\f'); break;
                    case '\\' or '$' or '"': value.Append(e); break;
                    case 'x' when char.IsAsciiHexDigit(Peek()):
                        int hex = _pos;
                        while (_pos < hex + 2 && char.IsAsciiHexDigit(Peek())) _pos++;
                        value.Append((char)System.Convert.ToInt32(_text[hex.._pos], 16));
                        break;
                    case 'u' when Peek() == '{':
                        int close = _text.IndexOf('}', _pos);
                        if (close < 0 || !int.TryParse(_text[(_pos + 1)..close], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code) || code > 0x10FFFF)
                            throw Fail("a \\u{...} escape is not a code point");
                        value.Append(char.ConvertFromUtf32(code));
                        _pos = close + 1;
                        break;
                    case >= '0' and <= '7':
                        int oct = _pos - 1;
                        while (_pos < oct + 3 && Peek() is >= '0' and <= '7') _pos++;
                        value.Append((char)(System.Convert.ToInt32(_text[oct.._pos], 8) & 0xFF));
                        break;
                    default: value.Append('\\').Append(e); break;
                }
                continue;
            }
            if (quote == '"' && c == '$' && (char.IsAsciiLetter(Peek()) || Peek() is '_' or '{'))
                throw Fail("a variable inside a \"string\" is not read (nothing is evaluated); write it in single quotes");
            if (quote == '"' && c == '{' && Peek() == '$')
                throw Fail("a variable inside a \"string\" is not read (nothing is evaluated); write it in single quotes");
            value.Append(c);
        }
    }

    string? Identifier()
    {
        int start = _pos;
        if (!(char.IsAsciiLetter(Peek()) || Peek() == '_' || Peek() > 127)) return null;
        while (char.IsAsciiLetterOrDigit(Peek()) || Peek() == '_' || Peek() > 127) _pos++;
        return _text[start.._pos];
    }

    /// <summary>Past white space and comments (#, //, /* */); a #[ attribute is code, not a comment.</summary>
    void Skip()
    {
        while (_pos < _text.Length)
        {
            char c = _text[_pos];
            if (char.IsWhiteSpace(c)) _pos++;
            else if (c == '#' && Peek(1) == '[') throw Fail("an attribute (#[...]) is not read");
            else if (c == '#' || (c == '/' && Peek(1) == '/'))
                while (_pos < _text.Length && _text[_pos] != '\n' && !(_text[_pos] == '?' && Peek(1) == '>')) _pos++;
            else if (c == '/' && Peek(1) == '*')
            {
                int end = _text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
                if (end < 0) throw Fail("a /* comment is not closed");
                _pos = end + 2;
            }
            else return;
        }
    }

    bool Match(string s)
    {
        if (string.CompareOrdinal(_text, _pos, s, 0, s.Length) != 0) return false;
        _pos += s.Length;
        return true;
    }

    char Peek(int ahead = 0) => _pos + ahead < _text.Length ? _text[_pos + ahead] : '\0';

    int Line(int pos)
    {
        int line = 1;
        for (int i = 0; i < pos && i < _text.Length; i++) if (_text[i] == '\n') line++;
        return line;
    }

    /// <summary>A few characters from <paramref name="start"/>, for a message.</summary>
    string Show(int start)
    {
        var s = _text[start..Math.Min(_text.Length, start + 24)];
        int nl = s.IndexOfAny(['\n', '\r']);
        return nl >= 0 ? s[..nl] : s;
    }

    AegirException Fail(string problem) => ErrorCatalog.Aegir3ContextUnread(_file, Line(_pos), problem, Fix);
}
