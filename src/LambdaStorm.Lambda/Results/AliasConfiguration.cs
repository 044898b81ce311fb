namespace LambdaStorm.Lambda;

/// <summary>An alias as <c>CreateAlias</c> / <c>GetAlias</c> describe it [S8].</summary>
/// <param name="Name">Alias name.</param>
/// <param name="AliasArn">Alias ARN.</param>
/// <param name="FunctionVersion">Version the alias points to.</param>
/// <param name="Description">Description.</param>
internal sealed record AliasConfiguration(string Name, string AliasArn, string FunctionVersion, string Description);
