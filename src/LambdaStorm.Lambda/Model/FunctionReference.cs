namespace LambdaStorm.Lambda;

/// <summary>
/// Parses the forms AWS accepts for <c>FunctionName</c> [S8] (§3): <c>name</c>, <c>name:qualifier</c>,
/// <c>ACCOUNT:function:name[:qualifier]</c> and <c>arn:aws:lambda:REGION:ACCOUNT:function:name[:qualifier]</c>.
/// </summary>
/// <param name="Name">Bare function name.</param>
/// <param name="Qualifier">Qualifier embedded in the name, if any.</param>
internal readonly record struct FunctionReference(string Name, string? Qualifier)
{
    /// <summary>Parses a FunctionName; false when it is not one of the accepted forms.</summary>
    public static bool TryParse(string? functionName, out FunctionReference reference)
    {
        reference = default;
        if (string.IsNullOrEmpty(functionName))
        {
            return false;
        }

        var parts = functionName.Split(':');
        switch (parts.Length)
        {
            case 1:
                reference = new(parts[0], null);
                return true;
            case 2:
                reference = new(parts[0], parts[1]);
                return true;
            case 3 or 4 when parts[1] == "function":
                reference = new(parts[2], parts.Length == 4 ? parts[3] : null);
                return true;
            case 7 or 8 when parts[0] == "arn" && parts[2] == "lambda" && parts[5] == "function":
                reference = new(parts[6], parts.Length == 8 ? parts[7] : null);
                return true;
            default:
                return false;
        }
    }
}
